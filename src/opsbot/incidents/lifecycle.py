"""Driving an incident: severity, roles, containment, notes, resolve; each a timeline event.

Every service runs in the caller's transaction, refuses with an OpsError written for the person,
and leaves the control panel, the announcement and (when it shows the change) the topic edited.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session

from opsbot.config import Config
from opsbot.errors import NotFound, OpsError
from opsbot.incidents import blocks, checks, effects, store
from opsbot.incidents.facts import snapshot
from opsbot.incidents.model import Role, Severity, Status
from opsbot.incidents.store import Incident
from opsbot.slack.grammar import MAX_TEXT
from opsbot.slack.mrkdwn import code, escape, truncate


def load(session: Session, incident_id: int) -> Incident:
    """The incident, locked for this transaction; refused when it does not exist."""
    incident = store.lock(session, incident_id=incident_id)
    if incident is None:
        raise NotFound(
            f"There is no incident {incident_id}.",
            hint="Type " + code("/incident list") + " to see open incidents.",
        )
    return incident


def editable(session: Session, incident_id: int) -> Incident:
    incident = load(session, incident_id)
    checks.check_editable(Status(incident.status))
    return incident


def check_text(text: str, what: str) -> str:
    """Refuse empty text, or text over Slack's section limit; returns it stripped."""
    text = text.strip()
    if not text:
        raise OpsError(f"The {what} is empty.", hint="Write what happened in a sentence or two.")
    if len(text) > MAX_TEXT:
        raise OpsError(
            f"The {what} is {len(text)} characters; the limit is {MAX_TEXT}.",
            hint="Shorten it, or split it over several notes.",
        )
    return text


def changed(
    session: Session,
    incident: Incident,
    *,
    now: datetime,
    actor: str | None,
    kind: str,
    text: str,
    announce: str | None = None,
    data: dict[str, Any] | None = None,
    topic: bool = False,
) -> None:
    """Record a change on the timeline, edit the panel in place, and say it in the channel."""
    store.add_event(
        session, incident_id=incident.id or 0, at=now, actor=actor, kind=kind, text=text, data=data
    )
    session.add(incident)
    session.flush()
    effects.refresh(session, incident, now=now, topic_changed=topic)
    if announce:
        effects.say(session, incident, announce, now=now)


def change_severity(
    session: Session,
    incident_id: int,
    severity: Severity,
    *,
    actor: str,
    now: datetime,
    reason: str | None = None,
    invite: Sequence[str] = (),
) -> Incident:
    """Change the severity (with an optional reason) and invite whom the new one pulls in."""
    incident = editable(session, incident_id)
    if incident.severity == severity.value:
        raise OpsError(
            f"This incident is already {severity.value}.",
            hint="Type " + code("/incident severity <sevN> <reason>") + " to change it.",
        )
    old, incident.severity = incident.severity, severity.value
    why = f" because {truncate(reason.strip(), 500)}" if reason and reason.strip() else ""
    changed(
        session,
        incident,
        now=now,
        actor=actor,
        kind="severity",
        topic=True,
        text=f"Severity {old} → {severity.value}{why}",
        data={"from": old, "to": severity.value, "reason": reason},
        announce=f"<@{actor}> changed the severity from {old} to *{severity.value}*{escape(why)}.",
    )
    for user in invite:
        effects.invite(session, incident, user, now=now)
    return incident


def assign_role(
    session: Session, incident_id: int, role: Role, user_id: str, *, actor: str, now: datetime
) -> Incident:
    incident = editable(session, incident_id)
    if getattr(incident, role.value) == user_id:
        raise OpsError(f"<@{user_id}> is already {role.value}.")
    setattr(incident, role.value, user_id)
    changed(
        session,
        incident,
        now=now,
        actor=actor,
        kind="role",
        topic=role is Role.LEAD,
        text=f"{role.value} given to {user_id}",
        data={"role": role.value, "user": user_id},
        announce=f"<@{actor}> made <@{user_id}> the incident *{role.value}*.",
    )
    return incident


def contain(
    session: Session, incident_id: int, text: str, *, actor: str, now: datetime
) -> Incident:
    """Record what stopped the harm; the incident moves to contained."""
    incident = load(session, incident_id)
    checks.check_transition(Status(incident.status), Status.CONTAINED)
    text = check_text(text, "containment")
    incident.status, incident.contained_at, incident.containment = Status.CONTAINED, now, text
    changed(
        session,
        incident,
        now=now,
        actor=actor,
        kind="contained",
        text=text,
        topic=True,
        announce=f"✅ <@{actor}> recorded containment: {escape(text)}",
    )
    return incident


def add_note(
    session: Session, incident_id: int, text: str, *, actor: str, now: datetime
) -> Incident:
    incident = editable(session, incident_id)
    text = check_text(text, "note")
    changed(
        session,
        incident,
        now=now,
        actor=actor,
        kind="note",
        text=text,
        announce=f"📝 <@{actor}> noted: {escape(text)}",
    )
    return incident


def name_surface(
    session: Session, config: Config, incident_id: int, key: str, *, actor: str, now: datetime
) -> Incident:
    """Name the AI surface the incident is about (a configured surface, when there are any)."""
    incident = editable(session, incident_id)
    surface = checks.check_surface(key, [s.key for s in config.surfaces])
    if surface == incident.ai_surface:
        raise OpsError(f"This incident is already about {code(surface or '')}.")
    old, incident.ai_surface = incident.ai_surface, surface
    changed(
        session,
        incident,
        now=now,
        actor=actor,
        kind="surface",
        text=f"AI surface: {surface}" + (f" (was {old})" if old else ""),
        data={"from": old, "to": surface},
        announce=f"<@{actor}> named the AI surface: *{escape(surface or '')}*.",
    )
    return incident


def resolve(
    session: Session, incident_id: int, *, actor: str, admins: Collection[str], now: datetime
) -> Incident:
    """Resolve once every gate holds; the refusal lists each missing item."""
    incident = load(session, incident_id)
    checks.check_may_finish(actor, lead=incident.acting_lead, admins=admins, action="resolve")
    checks.check_resolve(snapshot(session, incident))
    incident.status, incident.resolved_at = Status.RESOLVED, now
    changed(
        session,
        incident,
        now=now,
        actor=actor,
        kind="resolved",
        text="Resolved",
        topic=True,
        announce=f"🎉 <@{actor}> resolved {blocks.name(incident)}. "
        f"Close it to publish the postmortem: {code('/incident close')}",
    )
    return incident
