"""Learning: close renders the postmortem, uploads it, stores it; export for the CLI."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from opsbot import outbox, people
from opsbot.durations import duration
from opsbot.incidents import blocks, checks, effects, model, store
from opsbot.incidents.facts import fix_facts
from opsbot.incidents.lifecycle import changed, load
from opsbot.incidents.model import Layer, LayerVerdict, Status
from opsbot.incidents.render import render
from opsbot.incidents.store import Incident, Postmortem
from opsbot.slack.mrkdwn import escape


@dataclass(frozen=True)
class Durations:
    contain: str
    first_update: str
    remediation: str
    resolve: str


def durations(session: Session, incident: Incident) -> Durations:
    fixes = fix_facts(store.fixes(session, incident_id=incident.id or 0))
    resolved = (incident.resolved_at - incident.declared_at) if incident.resolved_at else None
    return Durations(
        contain=duration(model.time_to_contain(incident.declared_at, incident.contained_at)),
        first_update=duration(
            model.time_to_first_update(incident.declared_at, incident.first_customer_update_at)
        ),
        remediation=duration(model.time_to_remediation(incident.declared_at, fixes)),
        resolve=duration(resolved),
    )


def postmortem_markdown(session: Session, incident: Incident) -> str:
    """The postmortem: summary, impact, timeline, RCA by layer, fixes with tests and evidence."""
    incident_id = incident.id or 0
    findings = store.findings(session, incident_id=incident_id)
    layers = [
        {
            "name": layer.value,
            "findings": [
                f for f in findings if f.layer == layer and f.verdict == LayerVerdict.FINDING
            ],
            "ruled_out": [
                f for f in findings if f.layer == layer and f.verdict == LayerVerdict.RULED_OUT
            ],
        }
        for layer in Layer
    ]
    spans = durations(session, incident)
    timeline = store.timeline(session, incident_id=incident_id)
    fixes = store.fixes(session, incident_id=incident_id)
    updates = store.customer_updates(session, incident_id=incident_id)
    mentioned = [
        incident.declarer,
        incident.acting_lead,
        incident.comms,
        incident.scribe,
        *(e.actor for e in timeline),
        *(f.actor for f in findings),
        *(f.verified_by for f in fixes),
        *(u.actor for u in updates),
    ]
    known = people.names(session, [m for m in mentioned if m])
    return render(
        "postmortem.md.j2",
        who=lambda user_id: people.display(user_id, known),
        incident=incident,
        layers=layers,
        timeline=timeline,
        fixes=fixes,
        updates=updates,
        time_to_contain=spans.contain,
        time_to_first_update=spans.first_update,
        time_to_remediation=spans.remediation,
        time_to_resolve=spans.resolve,
    )


def summary(session: Session, incident: Incident) -> str:
    spans = durations(session, incident)
    return (
        f"Postmortem of {blocks.name(incident)} ({incident.severity}): "
        f"{escape(incident.title)}. Contained in {spans.contain}, first customer update "
        f"after {spans.first_update}, remediated in {spans.remediation}."
    )


def close(
    session: Session,
    incident_id: int,
    *,
    actor: str,
    admins: Collection[str],
    archive: bool,
    now: datetime,
) -> Postmortem:
    """Close a resolved incident: publish the postmortem in its channel and keep it."""
    incident = load(session, incident_id)
    checks.check_may_finish(actor, lead=incident.acting_lead, admins=admins, action="close")
    checks.check_transition(Status(incident.status), Status.CLOSED)
    incident.status, incident.closed_at = Status.CLOSED, now
    changed(session, incident, now=now, actor=actor, kind="closed", text="Closed", topic=True)
    markdown = postmortem_markdown(session, incident)
    postmortem = Postmortem(incident_id=incident.id or 0, markdown=markdown, created_at=now)
    session.add(postmortem)
    text = summary(session, incident)
    channel = effects.channel_arg(incident)
    steps = [
        outbox.step(
            "files.upload_v2",
            channel=channel,
            content=markdown,
            filename=f"incident-{incident.number}-postmortem.md",
            title=f"Postmortem: incident {incident.number}",
            initial_comment=text,
        ),
        outbox.step(
            "chat.postMessage",
            channel=channel,
            text=f"📘 <@{actor}> closed {blocks.name(incident)}. {text} "
            "The postmortem is the file above.",
        ),
    ]
    if archive:
        steps.append(outbox.step("conversations.archive", channel=channel))
    outbox.enqueue(
        session, kind="incident.close", lane=effects.lane(incident), steps=steps, now=now
    )
    return postmortem


def export(session: Session) -> list[dict[str, Any]]:
    """Every incident with its timeline, RCA, fixes, updates and postmortem, as JSON values."""
    rows = []
    for incident in store.all_incidents(session):
        incident_id = incident.id or 0
        record = incident.model_dump(mode="json")
        record["timeline"] = [
            e.model_dump(mode="json", exclude={"id", "incident_id"})
            for e in store.timeline(session, incident_id=incident_id)
        ]
        record["findings"] = [
            f.model_dump(mode="json", exclude={"id", "incident_id"})
            for f in store.findings(session, incident_id=incident_id)
        ]
        record["fixes"] = [
            f.model_dump(mode="json", exclude={"id", "incident_id"})
            for f in store.fixes(session, incident_id=incident_id)
        ]
        record["customer_updates"] = [
            u.model_dump(mode="json", exclude={"id", "incident_id"})
            for u in store.customer_updates(session, incident_id=incident_id)
        ]
        found = store.postmortem(session, incident_id=incident_id)
        record["postmortem"] = found.markdown if found else None
        rows.append(record)
    return rows
