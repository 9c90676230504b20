"""Time-to-remediation: numpy-compatible percentiles, median and p90 against a target."""

from __future__ import annotations

import numpy as np
import pytest

from opsbot.dashboard.model import (
    TIME_TO_REMEDIATION,
    State,
    Thresholds,
    percentile,
    remediation_summary,
)

FOUR_HOURS = 4 * 3600


def test_percentile_hand_computed() -> None:
    """For [1, 2, 3, 4]: p50 = 2.5, p90 = 3 + 0.7·(4 - 3) = 3.7, p0 = 1, p100 = 4."""
    # virtual index (n - 1)·q/100: p50 -> 1.5, p90 -> 2.7
    values = [4, 1, 3, 2]
    assert percentile(values, 50) == 2.5
    assert percentile(values, 90) == pytest.approx(3.7, rel=1e-15)
    assert percentile(values, 0) == 1
    assert percentile(values, 100) == 4
    assert percentile([7.5], 90) == 7.5


@pytest.mark.parametrize("seed", range(10))
def test_percentile_matches_numpy_linear(seed: int) -> None:
    """percentile equals numpy.percentile (method='linear') on random data and quantiles."""
    rng = np.random.default_rng(400 + seed)
    values = list(rng.exponential(3600, rng.integers(1, 60)))
    for q in [0, 10, 25, 33.3, 50, 66.7, 90, 95, 99, 100, *rng.uniform(0, 100, 5)]:
        assert percentile(values, q) == pytest.approx(
            float(np.percentile(values, q)), rel=1e-14, abs=0
        )


def test_percentile_refuses_empty_input_and_bad_q() -> None:
    """No values, or q outside 0..100, is refused."""
    with pytest.raises(ValueError, match="at least one"):
        percentile([], 50)
    with pytest.raises(ValueError, match="between 0 and 100"):
        percentile([1.0], 101)


def test_remediation_ok_when_median_and_p90_are_within_target() -> None:
    """1h, 1h30m, 2h against 4h: median 5400 s, p90 6840 s, ok."""
    # p90: index 1.8 -> 5400 + 0.8·1800 = 6840
    summary = remediation_summary([3600, 5400, 7200], target_seconds=FOUR_HOURS, severity="sev1")
    assert (summary.median, summary.p90, summary.n, summary.state) == (5400, 6840, 3, State.OK)
    assert summary.reason == (
        "Time-to-remediation (declared → last fix verified) is within the 4h target across "
        "3 sev1 incidents resolved in the last 90 days: median 1h 30m, p90 1h 54m."
    )


def test_remediation_watch_when_only_p90_is_over_target() -> None:
    """1h, 2h, 10h against 4h: median 2h is within, p90 8h24m is over, so watch."""
    # p90: index 1.8 -> 7200 + 0.8·28800 = 30240 s = 8h 24m
    median, p90, n, state, reason = remediation_summary(
        [3600, 7200, 36000], target_seconds=FOUR_HOURS, severity="sev1"
    )
    assert (median, p90, n, state) == (7200, pytest.approx(30240), 3, State.WATCH)
    assert "p90 is 8h 24m" in reason and "median of 2h" in reason


def test_remediation_act_when_median_is_over_target() -> None:
    """1h, 5h, 6h against 4h: the median of 5h is over target, so act."""
    summary = remediation_summary([18000, 21600, 3600], target_seconds=FOUR_HOURS, severity="sev1")
    assert summary.state is State.ACT
    assert summary.median == 18000
    assert summary.reason.startswith(
        f"Median {TIME_TO_REMEDIATION} is 5h across 3 sev1 incidents resolved in the last 90 days, "
        "over the 4h target"
    )


def test_remediation_median_exactly_at_target_is_not_act() -> None:
    """A median equal to the target is within it."""
    summary = remediation_summary([FOUR_HOURS] * 3, target_seconds=FOUR_HOURS)
    assert summary.state is State.OK


def test_remediation_with_no_incidents_is_insufficient() -> None:
    """No resolved incidents gives None numbers and insufficient-data naming the interval."""
    summary = remediation_summary([], target_seconds=FOUR_HOURS, severity="sev2")
    assert (summary.median, summary.p90, summary.n) == (None, None, 0)
    assert summary.state is State.INSUFFICIENT_DATA
    assert summary.reason == (
        "No sev2 incidents resolved in the last 90 days, so there is no time-to-remediation "
        "(declared → last fix verified) to report."
    )


def test_remediation_targets_come_from_thresholds() -> None:
    """Default targets are sev1 4h, sev2 24h, sev3 72h, sev4 7d, and a 90-day window."""
    limits = Thresholds()
    assert [limits.remediation_target(f"sev{k}") for k in range(1, 5)] == [
        4 * 3600,
        24 * 3600,
        72 * 3600,
        7 * 86400,
    ]
    assert limits.remediation_days == 90
    summary = remediation_summary(
        [30 * 3600], target_seconds=limits.remediation_target("sev2"), severity="sev2"
    )
    assert summary.state is State.ACT
    assert "over the 1d target" in summary.reason


def test_remediation_refuses_negative_durations() -> None:
    """A negative duration (fix verified before declaration) is refused, not averaged in."""
    with pytest.raises(ValueError, match="negative"):
        remediation_summary([-5, 10], target_seconds=FOUR_HOURS)


def test_other_intervals_reuse_the_rule_with_their_name() -> None:
    """The interval name in the reason can be time-to-contain for the same rule."""
    summary = remediation_summary(
        [600], target_seconds=1800, interval="time-to-contain (declared → contained)"
    )
    assert summary.reason.startswith("Time-to-contain (declared → contained) is within the 30m")
