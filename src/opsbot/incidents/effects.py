"""The Slack effects of incident services, written to the outbox in the caller's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from opsbot import outbox
from opsbot.incidents import blocks, store
from opsbot.incidents.facts import snapshot
from opsbot.incidents.store import Incident
from opsbot.slack.mrkdwn import escape, truncate

MAX_TOPIC = 250


def panel_key(incident: Incident) -> str:
    return f"incident:{incident.id}:panel"


def announcement_key(incident: Incident) -> str:
    return f"incident:{incident.id}:announcement"


def lane(incident: Incident) -> str:
    """One lane per incident keeps its channel's effects in the order they happened."""
    return f"incident:{incident.id}"


def channel_arg(incident: Incident) -> Any:
    """The incident channel's id, or (before creation is recorded) the panel's channel."""
    return incident.channel_id or outbox.message_ref(panel_key(incident), "channel")


def topic(incident: Incident) -> str:
    """The channel topic: severity, status, lead and title, within Slack's 250 characters."""
    head = f"{incident.severity.upper()} · {incident.status} · lead <@{incident.acting_lead}> · "
    return head + truncate(escape(incident.title), MAX_TOPIC - len(head))


def invite(session: Session, incident: Incident, user: str, *, now: datetime) -> None:
    """Invite one person to the incident's channel, as a job of its own (a deactivated account
    must not stop the others; already in the channel counts as done, so inviting twice is
    harmless)."""
    outbox.enqueue(
        session,
        kind="incident.invite",
        lane=lane(incident),
        now=now,
        steps=[outbox.step("conversations.invite", channel=channel_arg(incident), users=user)],
    )


def say(
    session: Session,
    incident: Incident,
    text: str,
    *,
    now: datetime,
    blocks_: list[dict[str, Any]] | None = None,
    kind: str = "incident.say",
) -> None:
    """Post in the incident channel (text is mrkdwn, already escaped)."""
    args: dict[str, Any] = {"channel": channel_arg(incident), "text": text}
    if blocks_ is not None:
        args["blocks"] = blocks_
    outbox.enqueue(
        session,
        kind=kind,
        lane=lane(incident),
        steps=[outbox.step("chat.postMessage", **args)],
        now=now,
    )


def post_to(
    session: Session, channel: str, text: str, *, now: datetime, kind: str = "incident.post"
) -> None:
    """Post in a named channel or to a person's DM (channel=<user id>)."""
    outbox.enqueue(
        session,
        kind=kind,
        lane=channel,
        steps=[outbox.step("chat.postMessage", channel=channel, text=text)],
        now=now,
    )


def refresh(
    session: Session, incident: Incident, *, now: datetime, topic_changed: bool = False
) -> None:
    """Edit the pinned control panel and the announcement in place; reset the topic if asked."""
    facts = snapshot(session, incident)
    panel = blocks.control_panel(
        incident,
        facts,
        store.fixes(session, incident_id=incident.id or 0),
        store.findings(session, incident_id=incident.id or 0),
        now=now,
    )
    outbox.update_message(
        session,
        key=panel_key(incident),
        lane=lane(incident),
        text=blocks.panel_text(incident),
        blocks=panel,
    )
    # A lane of its own: the edit may wait for the announcement (queued in the incidents
    # channel at Slack's pace) without holding up the incident channel's effects.
    outbox.update_message(
        session,
        key=announcement_key(incident),
        lane=f"{lane(incident)}:announcement",
        text=blocks.announcement_text(incident),
        blocks=blocks.announcement(incident, channel_arg(incident)),
    )
    if topic_changed:
        outbox.enqueue(
            session,
            kind="incident.topic",
            lane=lane(incident),
            supersede_key=f"topic:{incident.id}",
            now=now,
            steps=[
                outbox.step(
                    "conversations.setTopic", channel=channel_arg(incident), topic=topic(incident)
                )
            ],
        )
