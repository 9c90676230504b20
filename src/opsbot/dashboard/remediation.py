"""Time-to-remediation (declared → last fix verified): median and p90 by severity, and state."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

from opsbot.dashboard.states import State
from opsbot.durations import duration

TIME_TO_REMEDIATION = "time-to-remediation (declared → last fix verified)"


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100), interpolated linearly between order statistics.

    Same rule and rounding as numpy.percentile's default method='linear': the value at the
    virtual index (n - 1)·q/100 of the sorted values.
    """
    if not values:
        raise ValueError("A percentile needs at least one value.")
    if not 0 <= q <= 100:
        raise ValueError(f"A percentile is between 0 and 100, not {q}.")
    ordered = sorted(values)
    index = (len(ordered) - 1) * (q / 100)
    below = math.floor(index)
    above = min(below + 1, len(ordered) - 1)
    weight = index - below
    low, high = ordered[below], ordered[above]
    # numpy's lerp: from the nearer end, so that weight 1 gives `high` exactly.
    if weight >= 0.5:
        return high - (high - low) * (1 - weight)
    return low + (high - low) * weight


class RemediationSummary(NamedTuple):
    """One severity's time-to-remediation: median and p90 in seconds, count, state, reason."""

    median: float | None
    p90: float | None
    n: int
    state: State
    reason: str


def remediation_summary(
    durations_seconds: Sequence[float],
    *,
    target_seconds: float,
    severity: str = "",
    window_days: int = 90,
    interval: str = TIME_TO_REMEDIATION,
) -> RemediationSummary:
    """act when the median is over the target, watch when only p90 is, ok otherwise.

    insufficient-data when no incident of the severity was resolved in the window. `interval`
    names the measured span in the reason, so the same rule serves time-to-contain.
    """
    if any(seconds < 0 for seconds in durations_seconds):
        raise ValueError(f"A {interval} must not be negative; check the incident's timestamps.")
    if target_seconds <= 0:
        raise ValueError(f"The {interval} target must be positive, not {target_seconds}.")
    n = len(durations_seconds)
    which = f"{severity} " if severity else ""
    window = f"in the last {window_days} days"
    if not n:
        return RemediationSummary(
            None,
            None,
            0,
            State.INSUFFICIENT_DATA,
            f"No {which}incidents resolved {window}, so there is no {interval} to report.",
        )
    median, p90 = percentile(durations_seconds, 50), percentile(durations_seconds, 90)
    target = duration(target_seconds)
    incidents = f"{n} {which}incident{'s' if n != 1 else ''} resolved {window}"
    title = interval[0].upper() + interval[1:]
    if median > target_seconds:
        state = State.ACT
        reason = (
            f"Median {interval} is {duration(median)} across {incidents}, over the {target} "
            "target, so find what holds up verifying fixes."
        )
    elif p90 > target_seconds:
        state = State.WATCH
        reason = (
            f"{title} p90 is {duration(p90)} across {incidents}, over the {target} target though "
            f"the median of {duration(median)} is within it, so look at the slowest incidents."
        )
    else:
        state = State.OK
        reason = (
            f"{title} is within the {target} target across {incidents}: median "
            f"{duration(median)}, p90 {duration(p90)}."
        )
    return RemediationSummary(median, p90, n, state, reason)
