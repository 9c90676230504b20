"""Customer communication: drafts from templates per state, posted to two channels."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from opsbot.config import Config
from opsbot.incidents import effects, store
from opsbot.incidents.lifecycle import changed, check_text, editable
from opsbot.incidents.model import Status
from opsbot.incidents.render import render
from opsbot.incidents.store import CustomerUpdate, Incident
from opsbot.slack.mrkdwn import escape

STATES = {
    Status.DECLARED: "investigating",
    Status.CONTAINED: "contained",
    Status.RESOLVED: "resolved",
    Status.CLOSED: "resolved",
}


def state_of(incident: Incident) -> str:
    """The template state for an incident: investigating, contained or resolved."""
    return STATES[Status(incident.status)]


def draft(session: Session, config: Config, incident: Incident) -> str:
    """A customer update for the incident's current state, for the person to edit."""
    fixes = store.fixes(session, incident_id=incident.id or 0)
    text = render(
        f"incident_update_{state_of(incident)}.j2",
        title=incident.title,
        ai_surface=next(
            (s.name for s in config.surfaces if s.key == incident.ai_surface), incident.ai_surface
        ),
        customer_impact=incident.customer_impact,
        containment=incident.containment or "",
        fix_count=len(fixes),
        next_update_minutes=config.cadence_minutes(incident.severity),
    )
    return "\n".join(line for line in text.splitlines() if line.strip()).strip()


def post_update(
    session: Session, config: Config, incident_id: int, text: str, *, actor: str, now: datetime
) -> CustomerUpdate:
    """Record a customer update and post it to the incident and customer-comms channels."""
    incident = editable(session, incident_id)
    text = check_text(text, "customer update")
    update = CustomerUpdate(
        incident_id=incident.id or 0, state=state_of(incident), text=text, actor=actor, at=now
    )
    session.add(update)
    if incident.first_customer_update_at is None:
        incident.first_customer_update_at = now
    shown = "\n".join(f"> {escape(line)}" for line in text.splitlines())
    changed(
        session,
        incident,
        now=now,
        actor=actor,
        kind="customer_update",
        text=text,
        data={"state": update.state},
        announce=f"📣 <@{actor}> posted a customer update "
        f"(also in #{config.channels.customer_comms}):\n{shown}",
    )
    effects.post_to(
        session,
        config.channels.customer_comms,
        f"*Update on {escape(incident.title)}* ({update.state})\n{escape(text)}",
        now=now,
        kind="incident.customer_update",
    )
    return update
