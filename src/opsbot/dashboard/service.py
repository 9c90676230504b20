"""The dashboard JSON, computed from the rollups with the pure metric rules.

Windows are whole UTC days, today counted as the first: "the last 7 days" at Wednesday 10:00
is Thursday 00:00 to now. So the confidence windows are one read of the per-day histograms
(one row per tag and day), and the cost of the dashboard does not grow with the number of
scores.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from opsbot.config import Config, DashboardThresholds
from opsbot.dashboard import model as m
from opsbot.dashboard.layout import KEY_FIELD, METRICS
from opsbot.seams import RemediationDurations, no_remediation_durations
from opsbot.telemetry import store as telemetry
from opsbot.telemetry.store import OutcomeTotals


def thresholds_from(settings: DashboardThresholds) -> m.Thresholds:
    """The configuration's `dashboard:` section on top of the rules' defaults."""
    chosen: dict[str, Any] = {
        "drift_current_days": settings.current_window_days,
        "drift_baseline_days": settings.baseline_window_days,
        "drift_min_n": settings.drift_min_n,
        "rates_current_days": settings.current_window_days,
        "rates_baseline_days": settings.baseline_window_days,
        "remediation_days": settings.remediation_window_days,
    }
    optional = {
        "psi_watch": settings.drift_watch,
        "psi_act": settings.drift_act,
        "eval_threshold": settings.eval_threshold,
    }
    chosen.update({name: value for name, value in optional.items() if value is not None})
    return dataclasses.replace(m.Thresholds(), **chosen)


def window_end(now: datetime) -> datetime:
    """The end of every window: the next UTC midnight, so today is a whole (partial) day."""
    return telemetry.day_of(now) + timedelta(days=1)


def dashboard(
    session: Session,
    config: Config,
    *,
    now: datetime,
    remediation: RemediationDurations = no_remediation_durations,
) -> dict[str, Any]:
    """The numbers Slack shows, as the JSON of DESIGN.md ("Ingest API"); time to remediation
    comes from ``remediation`` (``ctx.remediation_durations``, which incidents provide)."""
    limits = thresholds_from(config.dashboard)
    end = window_end(now)
    current = timedelta(days=limits.drift_current_days)
    baseline = timedelta(days=limits.drift_baseline_days)
    result: dict[str, Any] = {
        "generated_at": now.isoformat(),
        "windows": {
            "current": [(end - current).isoformat(), end.isoformat()],
            "baseline": [(end - current - baseline).isoformat(), (end - current).isoformat()],
        },
        "eval_pass_rate": eval_pass_rates(session, limits),
        "drift": drift(session, limits, end),
    }
    result.update(outcome_metrics(session, limits, end))
    result["time_to_remediation"] = time_to_remediation(session, limits, now, remediation)
    return result


def drift(session: Session, limits: m.Thresholds, end: datetime) -> list[dict[str, Any]]:
    current_start = end - timedelta(days=limits.drift_current_days)
    baseline_start = current_start - timedelta(days=limits.drift_baseline_days)
    windows = telemetry.confidence_windows(session, [end, current_start, baseline_start])
    entries = []
    for tag in sorted(windows):
        current, before = windows[tag]
        found = m.assess_drift(before, current, limits)
        entries.append(
            {
                "tag": tag,
                "value": _round(found.value),
                "ks": _round(found.ks),
                "ks_p_value": _round(found.ks_p_value),
                "n_baseline": found.n_baseline,
                "n_current": found.n_current,
                "state": found.state.value,
                "reason": found.reason,
            }
        )
    return entries


def eval_pass_rates(session: Session, limits: m.Thresholds) -> list[dict[str, Any]]:
    entries = []
    for suite in telemetry.suites(session):
        runs = telemetry.latest_runs(session, suite=suite, limit=limits.eval_previous_runs + 1)
        latest, earlier = runs[0], runs[1:]
        value = m.pass_rate(latest.cases_passed, latest.cases_total)
        previous = [m.pass_rate(r.cases_passed, r.cases_total) for r in earlier]
        verdict = m.eval_state(value, previous, threshold=limits.eval_threshold)
        entries.append(
            {
                "suite": suite,
                "value": _round(value),
                "runs": len(runs),
                "previous": _round(m.previous_mean(previous)),
                "run_id": latest.run_id,
                "tag": latest.tag,
                "at": latest.at.isoformat(),
                "state": verdict.state.value,
                "reason": verdict.reason,
            }
        )
    return entries


def outcome_metrics(
    session: Session, limits: m.Thresholds, end: datetime
) -> dict[str, list[dict[str, Any]]]:
    """Override and escalation rates (this window against the previous ones) and cost/success."""
    days = limits.rates_current_days
    count = 1 + max(1, limits.rates_baseline_days // days)
    edges = [end - timedelta(days=days * i) for i in range(count + 1)]
    windows = telemetry.outcome_windows(session, edges)
    found: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for tag in sorted(windows):
        slots = windows[tag]
        for metric, outcome, name in (
            ("override_rate", "overridden", "override rate"),
            ("escalation_rate", "escalated", "escalation rate"),
        ):
            rates = [_share(slot, outcome) for slot in slots]
            decisions = _total(slots[0], "count")
            verdict = m.trend_state(
                rates[0],
                rates[1:],
                decisions=decisions,
                watch_ratio=limits.rate_watch_ratio,
                act_ratio=limits.rate_act_ratio,
                min_decisions=limits.rate_min_decisions,
                metric=name,
                current_days=days,
            )
            found[metric].append(
                {
                    "tag": tag,
                    "value": _round(rates[0]),
                    "previous": _round(m.previous_mean(rates[1:])),
                    "decisions": decisions,
                    "state": verdict.state.value,
                    "reason": verdict.reason,
                }
            )
        spent, wins = _total(slots[0], "cost"), _total(slots[0], "successes")
        before_spent = sum(_total(slot, "cost") for slot in slots[1:])
        before_wins = sum(_total(slot, "successes") for slot in slots[1:])
        value = m.cost_to_outcome(spent, int(wins))
        previous = m.cost_to_outcome(before_spent, int(before_wins))
        verdict = m.cost_state(
            value,
            previous,
            spent=spent,
            watch_ratio=limits.cost_watch_ratio,
            act_ratio=limits.cost_act_ratio,
            current_days=days,
            baseline_days=days * (count - 1),
        )
        found["cost_to_outcome"].append(
            {
                "tag": tag,
                "value": _round(value),
                "previous": _round(previous),
                "cost": _round(spent),
                "successes": int(wins),
                "state": verdict.state.value,
                "reason": verdict.reason,
            }
        )
    return {
        metric: found.get(metric, [])
        for metric in ("override_rate", "escalation_rate", "cost_to_outcome")
    }


def time_to_remediation(
    session: Session, limits: m.Thresholds, now: datetime, remediation: RemediationDurations
) -> list[dict[str, Any]]:
    """Median and p90 of declared → last fix verified, per severity, over resolved incidents."""
    durations = remediation(session, since=now - timedelta(days=limits.remediation_days))
    entries = []
    for severity in sorted(limits.remediation_targets):
        summary = m.remediation_summary(
            durations.get(severity, []),
            target_seconds=limits.remediation_target(severity),
            severity=severity,
            window_days=limits.remediation_days,
        )
        entries.append(
            {
                "severity": severity,
                "value": _round(summary.median),
                "p90": _round(summary.p90),
                "n": summary.n,
                "state": summary.state.value,
                "reason": summary.reason,
            }
        )
    return entries


def entries(board: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """Every (metric, key, entry) of a dashboard, in display order."""
    return [
        (metric, str(entry[KEY_FIELD[metric]]), entry)
        for metric in METRICS
        for entry in board.get(metric, [])
    ]


def _share(slot: OutcomeTotals, outcome: str) -> float | None:
    return m.rate(int(slot.get(outcome, {}).get("count", 0)), int(_total(slot, "count")))


def _total(slot: OutcomeTotals, field: str) -> Any:
    total = sum(values[field] for values in slot.values())
    return total if field == "cost" else int(total)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 6)
