"""Judging an experiment: its state from its arms' totals, by the ship rule fixed when it was
registered. No Slack, no SQL, no clock.

Ship when the primary metric improved (its always-valid interval lies wholly on the better side
of 0) and every guardrail held (its interval's worse end is within the tolerance); roll back
when the primary metric got worse or a guardrail is breached (its interval lies wholly beyond
the tolerance); otherwise, once the minimum run time and sample are reached, inconclusive. A
sample-ratio mismatch makes the experiment unhealthy whatever its numbers say.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from opsbot.experiments import statistics as st
from opsbot.experiments.model import (
    DAY,
    METRICS,
    Design,
    Metric,
    format_amount,
    format_effect,
)


class State(StrEnum):
    COLLECTING = "collecting"
    UNHEALTHY = "unhealthy"
    SHIP = "ship"
    ROLLBACK = "rollback"
    INCONCLUSIVE = "inconclusive"


@dataclass(frozen=True)
class ArmTotals:
    """Everything an arm's metrics are computed from: sums over rollups, never raw rows."""

    outcomes: int = 0
    successes: int = 0
    overridden: int = 0
    escalated: int = 0
    cost: float = 0.0
    cost_squares: float = 0.0
    success_cost: float = 0.0
    cases: int = 0
    cases_passed: int = 0

    def sample(self, metric: Metric) -> int:
        return self.cases if metric == Metric.EVAL_PASS_RATE else self.outcomes

    def value(self, metric: Metric) -> float | None:
        """The arm's value of ``metric``; None when it is undefined (no sample, no success)."""
        if metric == Metric.COST_PER_SUCCESS:
            return self.costs().per_success
        return self.proportion(metric).rate

    def proportion(self, metric: Metric) -> st.Proportion:
        events = {
            Metric.SUCCESS_RATE: self.successes,
            Metric.OVERRIDE_RATE: self.overridden,
            Metric.ESCALATION_RATE: self.escalated,
            Metric.EVAL_PASS_RATE: self.cases_passed,
        }[metric]
        return st.Proportion(events, self.sample(metric))

    def costs(self) -> st.CostSums:
        return st.CostSums(
            self.outcomes, self.successes, self.cost, self.cost_squares, self.success_cost
        )


class Verdict(StrEnum):
    IMPROVED = "improved"
    WORSE = "worse"
    UNCLEAR = "unclear"  # the primary metric: no difference shown either way yet
    HELD = "held"
    BREACHED = "breached"
    PENDING = "pending"  # a guardrail: neither held nor breached yet
    NO_DATA = "no data"


@dataclass(frozen=True)
class MetricResult:
    """One metric of the two arms: their values, the difference, its interval and verdict."""

    metric: Metric
    control: float | None
    treatment: float | None
    estimate: float | None
    interval: st.Interval | None
    p_value: float | None
    verdict: Verdict
    tolerance: float | None = None  # guardrails only

    def as_dict(self) -> dict[str, object]:
        return {
            "metric": self.metric.value,
            "control": self.control,
            "treatment": self.treatment,
            "difference": self.estimate,
            "interval": None if self.interval is None else [self.interval.low, self.interval.high],
            "p_value": self.p_value,
            "verdict": self.verdict.value,
            "tolerance": self.tolerance,
        }


@dataclass(frozen=True)
class Judgment:
    state: State
    days_left: int | None  # collecting: days until the run time and sample are reached
    reason: str  # one sentence, plain text
    primary: MetricResult
    guardrails: tuple[MetricResult, ...]
    samples: tuple[int, int]  # control, treatment: what the primary metric counts
    outcomes: tuple[int, int]
    srm_p: float | None
    notes: tuple[str, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, object]:
        """The judgment as JSON: what the card, the API and the report read."""
        return {
            "state": self.state.value,
            "label": self.label,
            "days_left": self.days_left,
            "reason": self.reason,
            "notes": list(self.notes),
            "primary": self.primary.as_dict(),
            "guardrails": [g.as_dict() for g in self.guardrails],
            "samples": {"control": self.samples[0], "treatment": self.samples[1]},
            "outcomes": {"control": self.outcomes[0], "treatment": self.outcomes[1]},
            "sample_ratio_p": self.srm_p,
        }

    @property
    def label(self) -> str:
        """The state as LAUNCH.md writes it: ``collecting (3 days left)``, ``ship``…"""
        if self.state != State.COLLECTING:
            return self.state.value
        if self.days_left is None:
            return "collecting (waiting for outcomes)"
        return f"collecting ({self.days_left} day{'' if self.days_left == 1 else 's'} left)"


def measure(
    metric: Metric,
    control: ArmTotals,
    treatment: ArmTotals,
    *,
    alpha: float,
    rho: float,
    tolerance: float | None = None,
) -> MetricResult:
    """Compare the arms on ``metric``: the verdict is a primary one without ``tolerance``, a
    guardrail's with it."""
    if metric == Metric.COST_PER_SUCCESS:
        estimate = st.relative_cost_difference(control.costs(), treatment.costs())
    else:
        estimate = st.rate_difference(control.proportion(metric), treatment.proportion(metric))
    values = (control.value(metric), treatment.value(metric))
    if estimate is None:
        return MetricResult(metric, *values, None, None, None, Verdict.NO_DATA, tolerance)
    interval = st.confidence_sequence(estimate, alpha=alpha, rho_=rho)
    p_value = st.always_valid_p(estimate, rho_=rho)
    # the interval of the improvement: positive is better, whichever way the metric points
    sign = 1 if METRICS[metric].higher_is_better else -1
    better_low, better_high = sorted((sign * interval.low, sign * interval.high))
    if tolerance is None:
        verdict = (
            Verdict.IMPROVED
            if better_low > 0
            else Verdict.WORSE
            if better_high < 0
            else Verdict.UNCLEAR
        )
    else:
        worse_low, worse_high = -better_high, -better_low
        verdict = (
            Verdict.BREACHED
            if worse_low > tolerance
            else Verdict.HELD
            if worse_high <= tolerance
            else Verdict.PENDING
        )
    return MetricResult(metric, *values, estimate.value, interval, p_value, verdict, tolerance)


def judge(
    design: Design,
    control: ArmTotals,
    treatment: ArmTotals,
    *,
    starts_at: datetime,
    now: datetime,
    tuning_total: int,
) -> Judgment:
    """The experiment's state at ``now`` from its arms' totals since ``starts_at``."""
    rho = st.rho(design.alpha, tuning_total)
    primary = measure(design.primary, control, treatment, alpha=design.alpha, rho=rho)
    guardrails = tuple(
        measure(g.metric, control, treatment, alpha=design.alpha, rho=rho, tolerance=g.tolerance)
        for g in design.guardrails
    )
    samples = (control.sample(design.primary), treatment.sample(design.primary))
    outcomes = (control.outcomes, treatment.outcomes)
    srm_p = st.sample_ratio_p(*outcomes, design.treatment_share)

    def result(state: State, reason: str, days_left: int | None = None) -> Judgment:
        return Judgment(
            state, days_left, reason, primary, guardrails, samples, outcomes, srm_p,
            _notes(design, primary, guardrails),
        )  # fmt: skip

    if srm_p is not None and srm_p < st.SRM_P:
        planned = round(design.treatment_share * 100)
        return result(
            State.UNHEALTHY,
            f"Sample-ratio mismatch: {outcomes[0]:,} control and {outcomes[1]:,} treatment "
            f"outcomes where a {100 - planned}/{planned} split was planned "
            f"(chi-square p = {srm_p:.1g}); the arms are not comparable until the split is fixed.",
        )
    elapsed = now - starts_at
    run_end = starts_at + design.min_days * DAY
    if now >= run_end and 0 in samples:
        names = [
            arm for arm, n in zip((design.control, design.treatment), samples, strict=True) if not n
        ]
        return result(
            State.UNHEALTHY,
            f"No {METRICS[design.primary].counts} for {' nor '.join(names)} since the start: "
            f"check that the {design.arm_kind.value} names match what the product reports.",
        )
    short = [n for n in samples if n < design.min_sample]
    if now < run_end or short:
        days_left = _days_left(design, samples, elapsed, run_end - now)
        counts = METRICS[design.primary].counts
        return result(
            State.COLLECTING,
            f"{min(samples):,} of {design.min_sample:,} {counts} in the smaller arm; "
            f"the minimum run time ends {design.min_days} days after the start.",
            days_left,
        )
    breached = [g for g in guardrails if g.verdict == Verdict.BREACHED]
    label = METRICS[design.primary].label
    if primary.verdict == Verdict.WORSE or breached:
        why = [f"the {label} got worse"] if primary.verdict == Verdict.WORSE else []
        why += [f"the {METRICS[g.metric].label} guardrail is breached" for g in breached]
        return result(State.ROLLBACK, _sentence(why))
    held = all(g.verdict == Verdict.HELD for g in guardrails)
    if primary.verdict == Verdict.IMPROVED and held:
        return result(
            State.SHIP,
            f"The {label} improved and every guardrail held: the rule fixed in advance says ship.",
        )
    if primary.verdict == Verdict.IMPROVED:
        waiting = [METRICS[g.metric].label for g in guardrails if g.verdict != Verdict.HELD]
        return result(
            State.INCONCLUSIVE,
            f"The {label} improved, but the {', '.join(waiting)} guardrail has not held yet.",
        )
    return result(
        State.INCONCLUSIVE,
        f"No difference in the {label} is shown yet; more outcomes narrow the interval.",
    )


def _days_left(
    design: Design, samples: tuple[int, int], elapsed: timedelta, until_end: timedelta
) -> int | None:
    """Whole days until both the run time and (at the pace so far) the sample are reached."""
    days = max(0, math.ceil(until_end / DAY))
    smaller = min(samples)
    if smaller >= design.min_sample:
        return days
    if smaller == 0 or elapsed <= timedelta(0):
        return days or None  # no pace to go by: the run time left, if any
    pace = smaller / (elapsed / DAY)
    return max(days, math.ceil((design.min_sample - smaller) / pace))


def _notes(
    design: Design, primary: MetricResult, guardrails: tuple[MetricResult, ...]
) -> tuple[str, ...]:
    """What would settle what is still open: how far each interval reaches, and roughly how
    many more outcomes would narrow it enough (widths shrink about as 1/sqrt(n))."""
    notes = []
    interval = primary.interval
    if interval is not None and primary.estimate is not None:
        reach = (interval.high - interval.low) / 2
        if -design.min_effect < interval.low and interval.high < design.min_effect:
            notes.append(
                "Any effect on the primary metric is smaller than the smallest worth detecting "
                f"({format_amount(design.min_effect, design.primary)})."
            )
        elif primary.verdict == Verdict.UNCLEAR and reach > design.min_effect:
            notes.append(
                f"Roughly {(reach / design.min_effect) ** 2:.1f}× the outcomes so far would find "
                f"an effect of {format_amount(design.min_effect, design.primary)}, if there is one."
            )
    for guardrail in guardrails:
        if guardrail.verdict != Verdict.PENDING or guardrail.interval is None:
            continue
        metric, tolerance = guardrail.metric, guardrail.tolerance or 0.0
        sign = -1 if METRICS[metric].higher_is_better else 1  # + is worse
        worse = sign * (guardrail.estimate or 0.0)
        reach = (guardrail.interval.high - guardrail.interval.low) / 2
        label = METRICS[metric].label.capitalize()
        if worse < tolerance:
            notes.append(
                f"{label}: its interval reaches {format_effect(worse + reach, metric)} worse, "
                f"past the {format_amount(tolerance, metric)} tolerance; roughly "
                f"{(reach / (tolerance - worse)) ** 2:.1f}× the outcomes so far would settle "
                "it if the arms stay as they are."
            )
        else:
            notes.append(
                f"{label}: already {format_effect(worse, metric)} worse, beyond its "
                f"{format_amount(tolerance, metric)} tolerance; more outcomes will show whether "
                "the guardrail is breached."
            )
    return tuple(notes)


def _sentence(parts: list[str]) -> str:
    text = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return text[0].upper() + text[1:] + ": the rule fixed in advance says roll back."
