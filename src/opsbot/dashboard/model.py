"""The dashboard's rules in one import (its model): pure functions over counts and histograms.

No database, no Slack and no clock: the service layer passes in each window's rollups and
counts. The rules live in `drift`, `ks`, `rates`, `remediation` and `states`, the defaults in
`thresholds.Thresholds`; the histogram is telemetry's (`opsbot.telemetry.histogram`).
"""

from __future__ import annotations

from opsbot.dashboard.drift import (
    DEFAULT_EPSILON,
    DriftAssessment,
    assess_drift,
    decile_ranks,
    drift_state,
    psi,
    psi_from_scores,
)
from opsbot.dashboard.ks import KSResult, kolmogorov_sf, ks_statistic
from opsbot.dashboard.rates import (
    cost_state,
    cost_to_outcome,
    eval_state,
    pass_rate,
    previous_mean,
    rate,
    trend_state,
)
from opsbot.dashboard.remediation import (
    TIME_TO_REMEDIATION,
    RemediationSummary,
    percentile,
    remediation_summary,
)
from opsbot.dashboard.states import State, Verdict
from opsbot.dashboard.thresholds import Thresholds
from opsbot.telemetry.histogram import CONFIDENCE_BUCKETS, Histogram, bucket_of

__all__ = [
    "CONFIDENCE_BUCKETS",
    "DEFAULT_EPSILON",
    "TIME_TO_REMEDIATION",
    "DriftAssessment",
    "Histogram",
    "KSResult",
    "RemediationSummary",
    "State",
    "Thresholds",
    "Verdict",
    "assess_drift",
    "bucket_of",
    "cost_state",
    "cost_to_outcome",
    "decile_ranks",
    "drift_state",
    "eval_state",
    "kolmogorov_sf",
    "ks_statistic",
    "pass_rate",
    "percentile",
    "previous_mean",
    "psi",
    "psi_from_scores",
    "rate",
    "remediation_summary",
    "trend_state",
]
