"""What a ritual's check-in shows of incidents (a ``RitualContextProvider`` incidents register):
the triage's open incidents and unverified fixes, a review's incidents and their time to
remediation, a retrospective's incidents."""

from __future__ import annotations

import statistics
from datetime import timedelta

from sqlmodel import Session

from opsbot.durations import duration
from opsbot.incidents import store
from opsbot.incidents.store import Fix, Incident
from opsbot.seams import ContextSection, RitualPeriod
from opsbot.slack.mrkdwn import escape, truncate


def sections(session: Session, period: RitualPeriod) -> list[ContextSection]:
    """The incident sections of a triage, review or retro; none for other rituals."""
    if period.kind == "triage":
        return [
            ContextSection(
                "Open incidents",
                [_incident(i) for i in store.open_incidents(session)],
                "No open incidents.",
            ),
            ContextSection(
                "Unverified fixes",
                [_fix(f) for f in store.unverified_fixes(session)],
                "No fixes waiting for verification.",
            ),
        ]
    if period.kind not in ("review", "retro") or period.since is None:
        return []
    declared = store.declared_between(session, start=period.since, end=period.now)
    since = period.since_text
    found = [
        ContextSection(
            f"Incidents {since}", [_incident(i) for i in declared], f"No incidents {since}."
        )
    ]
    if period.kind == "review":
        found.append(
            ContextSection(
                "Time to remediation",
                _remediation(declared),
                "No incident was remediated in this period.",
            )
        )
    return found


def _incident(incident: Incident) -> str:
    number = incident.number or incident.id
    title = truncate(escape(incident.title), 150)
    where = f" in <#{incident.channel_id}>" if incident.channel_id else ""
    return f"*#{number}* {escape(incident.severity)} {title} ({escape(incident.status)}){where}"


def _fix(fix: Fix) -> str:
    description = truncate(escape(fix.description), 150)
    return (
        f"Incident #{fix.incident_id} fix {fix.number}: {description} "
        f"(test `{escape(fix.test_id)}`)"
    )


def _remediation(declared: list[Incident]) -> list[str]:
    spans = [
        (incident, incident.remediated_at - incident.declared_at)
        for incident in declared
        if incident.remediated_at is not None
    ]
    if not spans:
        return []
    median = timedelta(seconds=statistics.median(s.total_seconds() for _, s in spans))
    lines = [f"Median {duration(median)} over {len(spans)} incident(s)"]
    lines += [f"#{i.number or i.id}: {duration(span)}" for i, span in spans]
    return lines
