"""Eval pass rate, override and escalation trends, and cost-to-outcome with their states."""

from __future__ import annotations

import pytest

from opsbot.dashboard.model import (
    State,
    cost_state,
    cost_to_outcome,
    eval_state,
    pass_rate,
    previous_mean,
    rate,
    trend_state,
)


def test_rate_divides_and_is_undefined_without_a_total() -> None:
    """rate(3, 12) is 0.25 and rate(0, 0) is None, never 0 or a division error."""
    assert rate(3, 12) == 0.25
    assert rate(0, 5) == 0.0
    assert rate(0, 0) is None
    assert pass_rate(12, 24) == 0.5
    assert pass_rate(0, 0) is None


@pytest.mark.parametrize(("part", "total"), [(-1, 4), (5, 4), (0, -1)])
def test_rate_refuses_impossible_counts(part: int, total: int) -> None:
    """A part above its total or a negative count is refused."""
    with pytest.raises(ValueError, match="part"):
        rate(part, total)


def test_previous_mean_skips_empty_weeks() -> None:
    """The mean of [0.04, None, 0.06] is 0.05, and of no known values is None."""
    assert previous_mean([0.04, None, 0.06]) == pytest.approx(0.05)
    assert previous_mean([None, None]) is None
    assert previous_mean([]) is None


def test_eval_state_at_the_threshold_is_ok() -> None:
    """A run that meets the threshold is ok, even a float hair under it from rounding."""
    assert eval_state(1.0, [0.5]).state is State.OK
    assert eval_state(0.9, [], threshold=0.9).state is State.OK
    assert eval_state(0.1 + 0.2, [], threshold=0.3).state is State.OK


def test_eval_state_first_failing_run_is_act() -> None:
    """A first run at 50% under a 100% gate is act (the DESIGN example: value 0.5, runs 1)."""
    state, reason = eval_state(0.5, [])
    assert state is State.ACT
    assert reason == (
        "The latest run passed 50% of its cases, under the 100% threshold, with no earlier run "
        "to compare with, so fix the failing cases before shipping."
    )


def test_eval_state_under_threshold_and_worse_than_before_is_act() -> None:
    """0.8 under 1.0 and below the previous runs' mean of 0.95 is act, naming both numbers."""
    # mean(1.0, 0.9, 0.95, 0.95) = 3.8 / 4 = 0.95
    state, reason = eval_state(0.8, [1.0, 0.9, 0.95, 0.95])
    assert state is State.ACT
    assert "passed 80%" in reason and "previous 4 runs' mean of 95%" in reason


def test_eval_state_under_threshold_but_no_worse_is_watch() -> None:
    """0.9 under 1.0 but equal to or above the previous mean is watch, not act."""
    assert eval_state(0.9, [0.9, 0.9]).state is State.WATCH
    assert "than the previous run's 80%" in eval_state(0.9, [0.8]).reason
    state, reason = eval_state(0.9, [0.8, None, 0.85])
    assert state is State.WATCH
    assert "previous 2 runs' mean of 82.5%" in reason


def test_eval_state_run_without_cases_is_insufficient() -> None:
    """A run with no cases (pass rate None) is insufficient-data."""
    assert eval_state(None, [1.0]).state is State.INSUFFICIENT_DATA


def test_trend_state_hand_computed_act() -> None:
    """12% overrides against a four-week mean of 5% is 2.4x, over the 1.5x act line."""
    # mean(0.04, 0.05, 0.06, 0.05) = 0.05; 0.12 / 0.05 = 2.4
    state, reason = trend_state(0.12, [0.04, 0.05, 0.06, 0.05], decisions=200)
    assert state is State.ACT
    assert reason.startswith(
        "Override rate 12% of 200 decisions in the last 7 days is 2.4× the previous 4 weeks' "
        "mean of 5% (act from 1.5×)"
    )


@pytest.mark.parametrize(
    ("current", "state"),
    [(0.03, State.OK), (0.06, State.OK), (0.0625, State.WATCH), (0.07, State.WATCH),
     (0.075, State.ACT)],
)  # fmt: skip
def test_trend_state_bands_include_their_lower_edges(current: float, state: State) -> None:
    """Against a mean of 5%: under 1.25x ok, from 1.25x (6.25%) watch, from 1.5x (7.5%) act."""
    assert trend_state(current, [0.05] * 4, decisions=100).state is state


def test_trend_state_needs_enough_decisions_and_history() -> None:
    """Under 20 decisions, or no earlier week with decisions, is insufficient-data."""
    state, reason = trend_state(0.5, [0.1], decisions=19, metric="escalation rate")
    assert state is State.INSUFFICIENT_DATA
    assert reason.startswith("Only 19 AI decisions in the last 7 days; the escalation rate")
    assert trend_state(None, [0.1], decisions=0).state is State.INSUFFICIENT_DATA
    state, reason = trend_state(0.5, [None, None], decisions=40)
    assert state is State.INSUFFICIENT_DATA
    assert "no earlier week" in reason
    assert trend_state(0.5, [], decisions=40).state is State.INSUFFICIENT_DATA


def test_trend_state_rise_from_zero_is_act_and_zero_to_zero_is_ok() -> None:
    """A rate rising from a mean of 0 is act; staying at 0 is ok."""
    assert trend_state(0.05, [0.0, 0.0], decisions=40).state is State.ACT
    assert trend_state(0.0, [0.0, 0.0], decisions=40).state is State.OK


def test_trend_state_ratios_are_configurable() -> None:
    """Tighter ratios move the same rates into watch and act."""
    assert trend_state(0.055, [0.05], decisions=50).state is State.OK
    assert (
        trend_state(0.055, [0.05], decisions=50, watch_ratio=1.05, act_ratio=1.2).state
        is State.WATCH
    )


def test_cost_to_outcome_is_undefined_without_successes() -> None:
    """12.0 over 3 successes is 4.0; with no successes it is None, never 0 or infinity."""
    assert cost_to_outcome(12.0, 3) == 4.0
    assert cost_to_outcome(5.0, 0) is None
    assert cost_to_outcome(0.0, 0) is None
    assert cost_to_outcome(0.0, 4) == 0.0
    with pytest.raises(ValueError, match="negative"):
        cost_to_outcome(-1.0, 2)


@pytest.mark.parametrize(
    ("current", "previous", "state"),
    [(4.0, 2.0, State.ACT), (3.0, 2.0, State.ACT), (2.5, 2.0, State.WATCH),
     (2.2, 2.0, State.OK), (1.0, 2.0, State.OK)],
)  # fmt: skip
def test_cost_state_bands(current: float, previous: float, state: State) -> None:
    """Cost per success up 1.5x or more is act, 1.25x watch, less ok; a fall is ok."""
    assert cost_state(current, previous).state is state


def test_cost_state_reason_names_both_windows() -> None:
    """The reason names the current and previous cost per success and the ratio."""
    _, reason = cost_state(4.0, 2.0)
    assert reason.startswith(
        "Cost per successful outcome is 4 in the last 7 days against 2 in the 28 days before "
        "(2×, act from 1.5×)"
    )


def test_cost_state_without_successes() -> None:
    """No success but money spent is act; no success and nothing spent is insufficient-data."""
    state, reason = cost_state(None, 2.0, spent=12.5)
    assert state is State.ACT
    assert reason.startswith("12.5 was spent in the last 7 days without one successful outcome")
    assert cost_state(None, 2.0).state is State.INSUFFICIENT_DATA
    assert cost_state(4.0, None).state is State.INSUFFICIENT_DATA
