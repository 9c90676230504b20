"""Declaring an incident: the row, then one outbox job that builds its channel.

The job creates the channel, invites the declarer, sets the topic, posts and pins the control
panel and announces in the incidents channel. Delivery hooks record the channel id, retry a
taken name with a suffix, and, when the job fails for good, record why and tell the declarer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from opsbot import outbox
from opsbot.config import Config
from opsbot.errors import OpsError
from opsbot.incidents import blocks, effects, model, naming, store
from opsbot.incidents.checks import check_surface
from opsbot.incidents.facts import snapshot
from opsbot.incidents.model import Severity
from opsbot.incidents.store import Incident
from opsbot.outbox import OutboxJob
from opsbot.slack.mrkdwn import code, escape
from opsbot.team import service as team

HOOK_CREATED = "incident.channel_created"
HOOK_NAME_TAKEN = "incident.name_taken"
HOOK_FAILED = "incident.declare_failed"
HOOK_PINNED = "incident.panel_pinned"
MAX_NAME_ATTEMPTS = 20
MAX_DESCRIPTION = 3000


@dataclass(frozen=True)
class Declaration:
    """What the declarer gave, by command or by modal."""

    title: str
    severity: Severity | None = None
    description: str | None = None
    customer_impact: bool = False
    ai_surface: str | None = None


def check_declaration(d: Declaration) -> None:
    """Refuse an empty or over-long title or description (the surface is checked in declare)."""
    check_title(d.title)
    check_description(d.description)


def check_title(text: str) -> str:
    """The title with its white space folded; refused when empty or over the limit."""
    title = " ".join(text.split())
    if not title:
        raise OpsError(
            "The incident needs a title.",
            hint="Type " + code(f"/incident declare {model.DEFAULT_SEVERITY} <title>"),
        )
    if len(title) > model.MAX_TITLE:
        raise OpsError(
            f"The title is {len(title)} characters; the limit is {model.MAX_TITLE}.",
            hint="Shorten it and put the detail in the description.",
        )
    return title


def check_description(text: str | None) -> None:
    """Refuse a description over the limit (it has none by default)."""
    if text and len(text) > MAX_DESCRIPTION:
        raise OpsError(
            f"The description is {len(text)} characters; the limit is {MAX_DESCRIPTION}.",
            hint="Shorten it.",
        )


def invitees(session: Session, config: Config, *, severity: Severity, declarer: str) -> list[str]:
    """The declarer first, then the holders of the team roles configured for the severity."""
    people = [declarer]
    for role in config.incidents.invite_roles.get(severity.value, []):
        if role not in config.known_roles:
            continue
        people.extend(p for p in team.members(session, config, role) if p not in people)
    return people


def declare(
    session: Session,
    config: Config,
    d: Declaration,
    *,
    declarer: str,
    now: datetime,
    bot_user_id: str | None = None,
) -> Incident:
    """Record the incident and enqueue the job that builds its channel; nothing half-made."""
    check_declaration(d)
    surface = check_surface(d.ai_surface, [s.key for s in config.surfaces])
    severity = d.severity or model.DEFAULT_SEVERITY
    title = " ".join(d.title.split())
    incident = Incident(
        title=title,
        description=(d.description or "").strip() or None,
        severity=severity.value,
        channel_name="",
        declarer=declarer,
        customer_impact=d.customer_impact,
        ai_surface=surface,
        declared_at=now,
    )
    session.add(incident)
    session.flush()
    incident.number = incident.id
    incident.channel_name = naming.channel_name(incident.number or 0, title)
    session.add(incident)
    store.add_event(
        session,
        incident_id=incident.id or 0,
        at=now,
        actor=declarer,
        kind="declared",
        text=f"Declared {severity.value}: {title}",
    )
    people = [
        p
        for p in invitees(session, config, severity=severity, declarer=declarer)
        if p != bot_user_id
    ]
    panel = blocks.control_panel(incident, snapshot(session, incident), [], [], now=now)
    key = effects.panel_key(incident)
    channel = outbox.ref("channel_id")
    steps = [
        outbox.step(
            "conversations.create",
            name=incident.channel_name,
            save={"channel_id": "channel.id"},
            hook=HOOK_CREATED,
            on_error=HOOK_NAME_TAKEN,
        ),
        outbox.step("conversations.invite", channel=channel, users=",".join(people[:1])),
        outbox.step("conversations.setTopic", channel=channel, topic=effects.topic(incident)),
        outbox.step(
            "chat.postMessage",
            key=key,
            channel=channel,
            text=blocks.panel_text(incident),
            blocks=panel,
        ),
        outbox.step(
            "pins.add", channel=channel, timestamp=outbox.message_ref(key, "ts"), hook=HOOK_PINNED
        ),
    ]
    outbox.enqueue(
        session,
        kind="incident.declare",
        lane=effects.lane(incident),
        steps=steps,
        on_fail=HOOK_FAILED,
        now=now,
    )
    for user in people[1:]:
        effects.invite(session, incident, user, now=now)
    return incident


# ---- delivery hooks -----------------------------------------------------------------------
def _incident_of(session: Session, job: OutboxJob) -> Incident | None:
    parts = job.lane.split(":")
    incident_id = int(parts[1]) if parts[0] == "incident" and parts[1].isdigit() else 0
    return session.get(Incident, incident_id)


def channel_created(session: Session, job: OutboxJob, response: dict[str, Any]) -> None:
    """Remember the new channel, so commands typed in it find the incident."""
    incident = _incident_of(session, job)
    channel = response.get("channel") or {}
    if incident is not None and channel.get("id"):
        incident.channel_id = channel["id"]
        incident.channel_name = channel.get("name") or incident.channel_name
        session.add(incident)


def panel_pinned(
    session: Session,
    job: OutboxJob,
    response: dict[str, Any],
    *,
    incidents_channel: str,
    now: datetime,
) -> None:
    """Announce in the incidents channel once the incident channel is ready to join.

    A job of its own in the incidents channel's lane: announcements queue there one at a time
    behind Slack's pace, instead of holding up the next declaration's channel.
    """
    incident = _incident_of(session, job)
    if incident is None or incident.channel_id is None:
        return
    outbox.enqueue(
        session,
        kind="incident.announce",
        lane=incidents_channel,
        now=now,
        steps=[
            outbox.step(
                "chat.postMessage",
                key=effects.announcement_key(incident),
                channel=incidents_channel,
                text=blocks.announcement_text(incident),
                blocks=blocks.announcement(incident, incident.channel_id),
            )
        ],
    )


def name_taken(
    session: Session, job: OutboxJob, args: dict[str, Any], error: str
) -> dict[str, Any] | None:
    """After `name_taken`, try `<name>-2`, `<name>-3`…; any other error fails the job."""
    incident = _incident_of(session, job)
    if error != "name_taken" or incident is None or incident.number is None:
        return None
    base = naming.channel_name(incident.number, incident.title)
    tried = str(args.get("name", base))
    attempt = next((n for n in range(MAX_NAME_ATTEMPTS) if naming.with_suffix(base, n) == tried), 0)
    if attempt + 1 >= MAX_NAME_ATTEMPTS:
        return None
    return {**args, "name": naming.with_suffix(base, attempt + 1)}


def declare_failed(session: Session, job: OutboxJob, error: str, *, now: datetime) -> None:
    """Record why the channel could not be built and tell the declarer what to do."""
    incident = _incident_of(session, job)
    if incident is None:
        return
    incident.creation_error = error
    session.add(incident)
    store.add_event(
        session,
        incident_id=incident.id or 0,
        at=now,
        actor=None,
        kind="error",
        text=f"Slack refused to build the incident channel: {error}",
    )
    where = f" ({code(incident.channel_id)} exists)" if incident.channel_id else ""
    text = (
        f"I could not set up the channel for {blocks.name(incident)} "
        f"({escape(incident.title)}): Slack answered {code(error)}{where}. The incident is "
        f"recorded but has no working channel. Ask a workspace admin to let the bot create "
        f"channels (`channels:manage`), then declare again with "
        f"{code('/incident declare ' + incident.severity + ' ' + incident.title)}."
    )
    effects.post_to(session, incident.declarer, text, now=now, kind="incident.declare_failed")
