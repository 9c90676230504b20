"""Stored rows turned into the pure rules' snapshot (model.IncidentFacts)."""

from __future__ import annotations

from sqlmodel import Session

from opsbot.incidents import store
from opsbot.incidents.model import (
    FixFacts,
    IncidentFacts,
    Layer,
    LayerState,
    LayerVerdict,
    Severity,
    Status,
)
from opsbot.incidents.store import Finding, Fix, Incident


def layers(findings: list[Finding]) -> dict[Layer, LayerState]:
    """Each settled layer: its findings if any (they win over ruling out), else the last reason."""
    settled: dict[Layer, LayerState] = {}
    for layer in Layer:
        found = [f.text for f in findings if f.layer == layer and f.verdict == LayerVerdict.FINDING]
        ruled = [
            f.text for f in findings if f.layer == layer and f.verdict == LayerVerdict.RULED_OUT
        ]
        if found:
            settled[layer] = LayerState(LayerVerdict.FINDING, "\n".join(found))
        elif ruled:
            settled[layer] = LayerState(LayerVerdict.RULED_OUT, ruled[-1])
    return settled


def fix_facts(fixes: list[Fix]) -> list[FixFacts]:
    return [FixFacts(f.number, f.test_id, f.verified_at is not None, f.verified_at) for f in fixes]


def snapshot(session: Session, incident: Incident) -> IncidentFacts:
    incident_id = incident.id or 0
    return IncidentFacts(
        status=Status(incident.status),
        severity=Severity(incident.severity),
        contained_at=incident.contained_at,
        customer_update_count=len(store.customer_updates(session, incident_id=incident_id)),
        layers=layers(store.findings(session, incident_id=incident_id)),
        fixes=fix_facts(store.fixes(session, incident_id=incident_id)),
    )
