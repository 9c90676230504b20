"""Eval pass rate, override and escalation trends, and cost-to-outcome, with their states."""

from __future__ import annotations

from collections.abc import Sequence

from opsbot.dashboard.states import State, Verdict, number, percent

# Rates are quotients of counts; a mean of them can land a hair off an exact band edge.
_TOLERANCE = 1e-9


def rate(part: int, total: int) -> float | None:
    """part / total, or None when there is nothing to divide by (no decisions, no cases)."""
    if part < 0 or total < 0 or part > total:
        raise ValueError(f"A rate needs 0 ≤ part ≤ total, not {part} of {total}.")
    return part / total if total else None


def pass_rate(passed: int, total: int) -> float | None:
    """Passed cases / all cases of a run, errors counting as failures; None for an empty run."""
    return rate(passed, total)


def previous_mean(previous: Sequence[float | None]) -> float | None:
    """The plain mean of the earlier windows' values, skipping empty ones (None); None if none."""
    known = [value for value in previous if value is not None]
    return sum(known) / len(known) if known else None


def eval_state(
    latest_rate: float | None, previous_rates: Sequence[float | None], *, threshold: float = 1.0
) -> Verdict:
    """ok at or above the threshold; under it, watch when no worse than the previous runs' mean.

    act when under the threshold and below the previous runs' mean, or under it with no earlier
    run to compare with (a first failing run of a gating suite); insufficient-data for a run
    without cases.
    """
    if latest_rate is None:
        return Verdict(
            State.INSUFFICIENT_DATA,
            "The latest run has no cases, so there is no pass rate to judge; check the suite's "
            "reporter.",
        )
    latest, limit = percent(latest_rate), percent(threshold)
    if latest_rate >= threshold - _TOLERANCE:
        return Verdict(
            State.OK, f"The latest run passed {latest} of its cases, meeting the {limit} threshold."
        )
    earlier = previous_mean(previous_rates)
    if earlier is None:
        return Verdict(
            State.ACT,
            f"The latest run passed {latest} of its cases, under the {limit} threshold, with no "
            "earlier run to compare with, so fix the failing cases before shipping.",
        )
    mean = f"{_earlier(previous_rates, 'run')} {percent(earlier)}"
    if latest_rate < earlier - _TOLERANCE:
        return Verdict(
            State.ACT,
            f"The latest run passed {latest} of its cases, under the {limit} threshold and down "
            f"from {mean}, so find what changed since the last run and fix the failing cases.",
        )
    return Verdict(
        State.WATCH,
        f"The latest run passed {latest} of its cases, under the {limit} threshold but no worse "
        f"than {mean}, so fix the failing cases or lower the threshold on purpose.",
    )


def trend_state(
    current_rate: float | None,
    previous_rates: Sequence[float | None],
    *,
    decisions: int,
    watch_ratio: float = 1.25,
    act_ratio: float = 1.5,
    min_decisions: int = 20,
    metric: str = "override rate",
    current_days: int = 7,
) -> Verdict:
    """This window's rate against the mean of the previous weekly rates (up = worse).

    watch from `watch_ratio` x that mean, act from `act_ratio` x; a rise from a mean of 0 is
    act. insufficient-data with fewer than `min_decisions` decisions now or no earlier week.
    """
    window = f"the last {current_days} days"
    if current_rate is None or decisions < min_decisions:
        return Verdict(
            State.INSUFFICIENT_DATA,
            f"Only {decisions} AI decisions in {window}; the {metric} needs at least "
            f"{min_decisions} to show a trend.",
        )
    now = f"{metric.capitalize()} {percent(current_rate)} of {decisions} decisions in {window}"
    earlier = previous_mean(previous_rates)
    if earlier is None:
        return Verdict(
            State.INSUFFICIENT_DATA,
            f"{now} has no earlier week with decisions to compare with.",
        )
    before = f"{_earlier(previous_rates, 'week')} {percent(earlier)}"
    state, ratio = _ratio_band(current_rate, earlier, watch_ratio, act_ratio)
    if state is State.ACT:
        return Verdict(
            state,
            f"{now} is {_times(ratio)} {before} (act from {_times(act_ratio)}), so review a "
            "sample of this week's cases to find the cause.",
        )
    if state is State.WATCH:
        return Verdict(
            state,
            f"{now} is {_times(ratio)} {before} (watch from {_times(watch_ratio)}), so check "
            "whether a recent change explains it.",
        )
    return Verdict(
        state, f"{now} is {_times(ratio)} {before}, under the {_times(watch_ratio)} watch line."
    )


def cost_to_outcome(total_cost: float, successes: int) -> float | None:
    """Total cost / successful outcomes; None (undefined, never 0 or inf) without successes."""
    if total_cost < 0 or successes < 0:
        raise ValueError(f"Cost and successes must not be negative ({total_cost}, {successes}).")
    return total_cost / successes if successes else None


def cost_state(
    current: float | None,
    previous: float | None,
    *,
    spent: float = 0.0,
    watch_ratio: float = 1.25,
    act_ratio: float = 1.5,
    current_days: int = 7,
    baseline_days: int = 28,
) -> Verdict:
    """Cost per success now against the window before (up = worse), by the same ratio bands.

    With no success now: act if money was `spent`, else insufficient-data; insufficient-data
    too when the window before had no success to compare with.
    """
    window, before = f"the last {current_days} days", f"the {baseline_days} days before"
    if current is None:
        if spent > 0:
            return Verdict(
                State.ACT,
                f"{number(spent)} was spent in {window} without one successful outcome, so cost "
                "per success is undefined; find out why this tag stopped succeeding.",
            )
        return Verdict(
            State.INSUFFICIENT_DATA,
            f"No successful outcomes in {window}, so cost per success is undefined.",
        )
    now = f"Cost per successful outcome is {number(current)} in {window}"
    if previous is None:
        return Verdict(
            State.INSUFFICIENT_DATA,
            f"{now}, with no successful outcome in {before} to compare with.",
        )
    state, ratio = _ratio_band(current, previous, watch_ratio, act_ratio)
    against = f"against {number(previous)} in {before} ({_times(ratio)}"
    if state is State.ACT:
        return Verdict(
            state,
            f"{now} {against}, act from {_times(act_ratio)}), so check model routing, retries "
            "and prompt length for this tag.",
        )
    if state is State.WATCH:
        return Verdict(
            state,
            f"{now} {against}, watch from {_times(watch_ratio)}), so check whether a recent "
            "change explains it.",
        )
    return Verdict(state, f"{now} {against}, watch from {_times(watch_ratio)}).")


def _ratio_band(
    current: float, previous: float, watch_ratio: float, act_ratio: float
) -> tuple[State, float]:
    """The band of current/previous; a rise from 0 counts as an infinite ratio."""
    if previous == 0:
        return (State.OK, 1.0) if current == 0 else (State.ACT, float("inf"))
    ratio = current / previous
    if ratio >= act_ratio - _TOLERANCE:
        return State.ACT, ratio
    if ratio >= watch_ratio - _TOLERANCE:
        return State.WATCH, ratio
    return State.OK, ratio


def _earlier(previous: Sequence[float | None], unit: str) -> str:
    """'the previous 4 weeks' mean of' or, for a single one, 'the previous week's'."""
    count = sum(value is not None for value in previous)
    return f"the previous {unit}'s" if count == 1 else f"the previous {count} {unit}s' mean of"


def _times(ratio: float) -> str:
    return "far above" if ratio == float("inf") else f"{ratio:.2f}".rstrip("0").rstrip(".") + "×"
