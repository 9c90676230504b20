"""Regressions: a closed incident whose verification test fails again after it closed.

Eval results are telemetry's; they are read through ``opsbot.telemetry.store``, which imports
nothing of the incidents feature. The daily triage lists each regression with a link
to the incident's channel, for as long as the test's latest result is a failure.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session

from opsbot.incidents import store
from opsbot.incidents.store import Fix, Incident
from opsbot.seams import TriageItem
from opsbot.telemetry import store as telemetry


def regressions(session: Session) -> list[tuple[Incident, Fix, str]]:
    """(incident, fix, run id) for each fix of a closed incident whose test's latest result,
    reported for a time after the incident closed, is a failure."""
    pairs = store.closed_fixes(session)
    latest = telemetry.latest_results(session, case_ids={fix.test_id for _, fix in pairs})
    found = []
    for incident, fix in pairs:
        result = latest.get(fix.test_id)
        if result is None or result.passed or incident.closed_at is None:
            continue
        if result.at > incident.closed_at:
            found.append((incident, fix, result.run_id))
    return found


def triage_items(session: Session, now: datetime) -> list[TriageItem]:
    """The daily triage's lines for the regressions (a ``TriageProvider``)."""
    items = []
    for incident, fix, run_id in regressions(session):
        closed = (incident.closed_at or now).astimezone(UTC)
        items.append(
            TriageItem(
                f"Regression of incident #{incident.number or incident.id} ({incident.title}): "
                f"test {fix.test_id} of fix {fix.number} failed in eval run {run_id}, after "
                f"the incident closed on {closed:%d %b %Y}",
                channel_id=incident.channel_id,
            )
        )
    return items
