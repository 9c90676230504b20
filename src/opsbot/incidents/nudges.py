"""Nudges when a step is late: no lead, a missed customer-update cadence, unverified fixes.

`run_nudges` is the body of a leader-gated scheduler job; tests call it with a frozen clock.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from opsbot.config import Config
from opsbot.incidents import blocks, effects, model, store
from opsbot.incidents.model import Severity
from opsbot.incidents.store import Incident, NudgeLog
from opsbot.slack.mrkdwn import code, escape

LEAD, UPDATE, UNVERIFIED = "lead", "update", "unverified"


def cadences(config: Config) -> dict[Severity, int | None]:
    return {s: config.cadence_minutes(s.value) for s in Severity}


def _nudge(session: Session, incident: Incident, kind: str, text: str, *, now: datetime) -> None:
    session.add(NudgeLog(incident_id=incident.id or 0, kind=kind, at=now))
    store.add_event(
        session,
        incident_id=incident.id or 0,
        at=now,
        actor=None,
        kind="nudge",
        text=f"Nudge ({kind})",
        data={"nudge": kind},
    )
    effects.say(session, incident, f"⏰ {text}", now=now, kind="incident.nudge")
    where = f"<#{incident.channel_id}>" if incident.channel_id else blocks.name(incident)
    effects.post_to(
        session,
        incident,
        incident.acting_lead,
        f"⏰ {where} ({escape(incident.title)}): {text}",
        now=now,
        kind="incident.nudge",
    )


def due_nudges(session: Session, config: Config, incident: Incident, now: datetime) -> list[str]:
    """Which nudges this incident is due now (by the pure rules in model.py)."""
    incident_id = incident.id or 0
    due = []
    if model.lead_nudge_due(
        incident.declared_at,
        incident.lead,
        now,
        after=timedelta(minutes=config.incidents.lead_nudge_minutes),
        already_nudged=store.last_nudge(session, incident_id=incident_id, kind=LEAD) is not None,
    ):
        due.append(LEAD)
    updates = store.customer_updates(session, incident_id=incident_id)
    base = updates[-1].at if updates else incident.declared_at
    if model.update_nudge_due(
        Severity(incident.severity),
        base,
        now,
        cadences(config),
        store.last_nudge(session, incident_id=incident_id, kind=UPDATE),
    ):
        due.append(UPDATE)
    unverified = [f for f in store.fixes(session, incident_id=incident_id) if not f.verified_at]
    if model.unverified_fix_nudge_due(
        incident.contained_at,
        len(unverified),
        store.last_nudge(session, incident_id=incident_id, kind=UNVERIFIED),
        now,
        every=timedelta(hours=config.incidents.unverified_fix_nudge_hours),
    ):
        due.append(UNVERIFIED)
    return due


def _text(session: Session, config: Config, incident: Incident, kind: str) -> str:
    if kind == LEAD:
        return (
            f"Nobody has taken the lead role yet; <@{incident.declarer}> leads until someone "
            f"does: {code('/incident role lead @person')}"
        )
    if kind == UPDATE:
        minutes = config.cadence_minutes(incident.severity)
        return (
            f"A customer update is due ({incident.severity}: every {minutes} min): "
            f"{code('/incident update')}"
        )
    numbers = [
        str(f.number)
        for f in store.fixes(session, incident_id=incident.id or 0)
        if not f.verified_at
    ]
    return (
        f"Fix {', '.join(numbers)} still unverified after containment: "
        f"{code('/incident verify <fix-number> <evidence>')} or report a passing eval run"
    )


def run_nudges(session: Session, config: Config, *, now: datetime) -> list[tuple[int, str]]:
    """Send every nudge due now across open incidents; returns (incident number, kind) sent."""
    sent = []
    for incident in store.open_incidents(session):
        if incident.channel_id is None:
            continue  # its channel is not built (yet); the declarer hears of failures directly
        for kind in due_nudges(session, config, incident, now):
            _nudge(session, incident, kind, _text(session, config, incident, kind), now=now)
            sent.append((incident.number or 0, kind))
    return sent
