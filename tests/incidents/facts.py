"""Incident facts for the pure rule tests: a snapshot that meets every resolve gate."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from opsbot.config import DEFAULT_UPDATE_CADENCE
from opsbot.incidents.model import (
    FixFacts,
    IncidentFacts,
    Layer,
    LayerState,
    LayerVerdict,
    Severity,
    Status,
)
from opsbot.slack.mrkdwn import unescape

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
# the configuration's default customer-update cadence (sev1 30 min … sev4 none)
CADENCE = {Severity(severity): minutes for severity, minutes in DEFAULT_UPDATE_CADENCE.items()}
ALL_SETTLED = {
    Layer.MODEL: LayerState(LayerVerdict.FINDING, "prompt v12 dropped the refund cap"),
    Layer.DATA: LayerState(LayerVerdict.RULED_OUT, "inputs unchanged"),
    Layer.WORKFLOW: LayerState(LayerVerdict.RULED_OUT, "routing unchanged"),
}


def ready(**changes: Any) -> IncidentFacts:
    """A contained sev2 incident that meets every resolve gate, with `changes` applied."""
    base = IncidentFacts(
        status=Status.CONTAINED,
        severity=Severity.SEV2,
        contained_at=T0 + timedelta(minutes=20),
        customer_update_count=1,
        layers=ALL_SETTLED,
        fixes=(FixFacts(1, "eval-refund-guard", verified=True, verified_at=T0),),
    )
    return replace(base, **changes)


def plain(text: str | None) -> str:
    """What a person reads once Slack has decoded the entities."""
    return unescape(text or "")
