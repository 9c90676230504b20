"""Week-by-week values of the five metrics, for the weekly model-and-workflow review's chart."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session

from opsbot.config import Config
from opsbot.dashboard import model as m
from opsbot.dashboard.service import thresholds_from, window_end
from opsbot.seams import RemediationDurations, no_remediation_durations
from opsbot.telemetry import store as telemetry
from opsbot.telemetry.histogram import Histogram

WEEK = timedelta(days=7)
MAX_LINES = 6  # series per panel; the busiest tags and suites are kept

Series = dict[str, list[float | None]]  # line label -> one value per week, oldest first


@dataclass
class WeeklySeries:
    """One value per week and line for each panel of the chart, oldest week first."""

    weeks: list[datetime]  # the start of each week
    eval_pass_rate: Series = field(default_factory=dict)
    drift: Series = field(default_factory=dict)
    override_rate: Series = field(default_factory=dict)
    escalation_rate: Series = field(default_factory=dict)
    cost_to_outcome: Series = field(default_factory=dict)
    time_to_remediation_hours: Series = field(default_factory=dict)


def weekly_series(
    session: Session,
    config: Config,
    *,
    now: datetime,
    weeks: int = 8,
    remediation: RemediationDurations = no_remediation_durations,
) -> WeeklySeries:
    """The last ``weeks`` weeks (the newest ending today) of every metric."""
    limits = thresholds_from(config.dashboard)
    end = window_end(now)
    starts = [end - WEEK * (weeks - i) for i in range(weeks)]
    result = WeeklySeries(weeks=starts)
    result.eval_pass_rate = _eval(session, starts)
    result.drift = _drift(session, starts, limits)
    edges = [end - WEEK * i for i in range(weeks + 1)]
    windows = telemetry.outcome_windows(session, edges)
    busiest = sorted(
        windows, key=lambda t: -sum(s.get("count", 0) for w in windows[t] for s in w.values())
    )[:MAX_LINES]
    for tag in sorted(busiest):
        slots = list(reversed(windows[tag]))  # oldest first
        totals = [sum(v["count"] for v in slot.values()) for slot in slots]
        for name, outcome in (("override_rate", "overridden"), ("escalation_rate", "escalated")):
            getattr(result, name)[tag] = [
                m.rate(int(slot.get(outcome, {}).get("count", 0)), int(total))
                for slot, total in zip(slots, totals, strict=True)
            ]
        result.cost_to_outcome[tag] = [
            m.cost_to_outcome(
                sum(v["cost"] for v in slot.values()),
                int(sum(v["successes"] for v in slot.values())),
            )
            for slot in slots
        ]
    result.time_to_remediation_hours = _remediation(session, starts, remediation)
    return result


def _eval(session: Session, starts: list[datetime]) -> Series:
    end = starts[-1] + WEEK
    runs = telemetry.runs_between(session, starts[0], end)
    passed: dict[str, list[int]] = defaultdict(lambda: [0] * len(starts))
    total: dict[str, list[int]] = defaultdict(lambda: [0] * len(starts))
    for run in runs:
        week = min(int((run.at - starts[0]) / WEEK), len(starts) - 1)
        passed[run.suite][week] += run.cases_passed
        total[run.suite][week] += run.cases_total
    busiest = sorted(total, key=lambda s: -sum(total[s]))[:MAX_LINES]
    return {
        suite: [m.pass_rate(p, t) for p, t in zip(passed[suite], total[suite], strict=True)]
        for suite in sorted(busiest)
    }


def _drift(session: Session, starts: list[datetime], limits: m.Thresholds) -> Series:
    """Each week's PSI against the baseline days before it (insufficient data: no point)."""
    baseline_weeks = max(1, limits.drift_baseline_days // 7)
    first = starts[0] - WEEK * baseline_weeks
    all_starts = [first + WEEK * i for i in range(baseline_weeks + len(starts))]
    edges = [all_starts[-1] + WEEK, *reversed(all_starts)]
    by_tag = telemetry.confidence_windows(session, edges)  # per tag, newest week first
    weekly = [
        {tag: windows[-1 - i] for tag, windows in by_tag.items()} for i in range(len(all_starts))
    ]
    tags = sorted(
        {tag for week in weekly for tag in week},
        key=lambda t: -sum(week[t].total for week in weekly if t in week),
    )[:MAX_LINES]
    series: Series = {}
    for tag in sorted(tags):
        values: list[float | None] = []
        for i in range(len(starts)):
            current = weekly[baseline_weeks + i].get(tag, Histogram())
            baseline = Histogram.merged(w[tag] for w in weekly[i : baseline_weeks + i] if tag in w)
            found = m.assess_drift(baseline, current, limits)
            values.append(found.value if found.state is not m.State.INSUFFICIENT_DATA else None)
        series[tag] = values
    return series


def _remediation(
    session: Session, starts: list[datetime], remediation: RemediationDurations
) -> Series:
    """Median hours from declared to last fix verified, of incidents resolved in each week."""
    values: list[float | None] = []
    for start in starts:
        found = remediation(session, since=start, until=start + WEEK)
        durations = [seconds for per in found.values() for seconds in per]
        values.append(m.percentile(durations, 50) / 3600 if durations else None)
    return {"all severities": values} if any(v is not None for v in values) else {}
