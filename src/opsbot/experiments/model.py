"""Experiment rules: the metrics opsbot can compute and how their effects are written, and
the design registered before an experiment starts. No Slack, no SQL, no clock. How an
experiment is judged from its arms' totals is in ``judgment``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from opsbot.experiments import statistics as st

DAY = timedelta(days=1)
MAX_DAYS = 90  # the longest minimum run time, and how far back a late start may go
MAX_SAMPLE = 100_000_000
MIN_SAMPLE = 30  # per arm: below it the asymptotic intervals are not to be trusted


class Metric(StrEnum):
    SUCCESS_RATE = "success_rate"
    OVERRIDE_RATE = "override_rate"
    ESCALATION_RATE = "escalation_rate"
    COST_PER_SUCCESS = "cost_per_success"
    EVAL_PASS_RATE = "eval_pass_rate"


@dataclass(frozen=True)
class MetricInfo:
    """How a metric reads: its name for people, which way is better, how effects are written."""

    label: str
    higher_is_better: bool
    relative: bool  # effects are relative (+10% dearer) rather than in percentage points
    counts: str  # what its sample counts


METRICS: dict[Metric, MetricInfo] = {
    Metric.SUCCESS_RATE: MetricInfo("success rate", True, False, "outcomes"),
    Metric.OVERRIDE_RATE: MetricInfo("override rate", False, False, "outcomes"),
    Metric.ESCALATION_RATE: MetricInfo("escalation rate", False, False, "outcomes"),
    Metric.COST_PER_SUCCESS: MetricInfo("cost per successful outcome", False, True, "outcomes"),
    Metric.EVAL_PASS_RATE: MetricInfo("eval pass rate", True, False, "eval cases"),
}
METRIC_LIST = ", ".join(f"`{m.value}`" for m in Metric)
ALIASES = {
    "cost_per_successful_outcome": Metric.COST_PER_SUCCESS,
    "cost_to_outcome": Metric.COST_PER_SUCCESS,
}


def format_effect(value: float, metric: Metric) -> str:
    """A difference as people read it: ``+2.1 pp`` for rates, ``+4.0%`` for cost."""
    if METRICS[metric].relative:
        return f"{value * 100:+.1f}%"
    return f"{value * 100:+.1f} pp"


def format_amount(value: float, metric: Metric) -> str:
    """A tolerance or smallest effect (no sign): ``1.0 pp`` or ``10%``."""
    return f"{value * 100:.1f}%" if METRICS[metric].relative else f"{value * 100:.1f} pp"


def format_value(value: float | None, metric: Metric) -> str:
    """An arm's value: a rate in percent, a cost per success as a number; a dash when undefined."""
    if value is None:
        return "–"
    return f"{value:.4g}" if metric == Metric.COST_PER_SUCCESS else f"{value * 100:.1f}%"


# ---- the design -------------------------------------------------------------------------------
class ArmKind(StrEnum):
    VERSION = "version"  # outcomes' `version`: the version of the surface that served them
    TAG = "tag"  # outcomes' `tag`: one of the surface's telemetry tags


@dataclass(frozen=True)
class Guardrail:
    metric: Metric
    tolerance: float  # how much worse it may get: percentage points, or relative for cost


@dataclass(frozen=True)
class Design:
    """What is registered before the experiment starts; none of it changes afterwards."""

    surface: str
    arm_kind: ArmKind
    control: str
    treatment: str
    treatment_share: float  # of the traffic, as planned (the sample-ratio check tests it)
    primary: Metric
    guardrails: tuple[Guardrail, ...]
    min_effect: float  # the smallest effect worth detecting, in the primary metric's units
    min_days: int
    min_sample: int  # per arm, in what the primary metric counts
    alpha: float = st.ALPHA


def overlaps(
    start: datetime, end: datetime | None, other_start: datetime, other_end: datetime | None
) -> bool:
    """Whether two runs, each from its start until its end (None: still running), share time."""
    return (other_end is None or start < other_end) and (end is None or other_start < end)
