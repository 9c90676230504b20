"""Experiment rules: metric names, amounts, design checks, and the state judged from totals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from opsbot.errors import OpsError
from opsbot.experiments import statistics as st
from opsbot.experiments.checks import (
    check_design,
    metric_named,
    parse_amount,
)
from opsbot.experiments.judgment import (
    ArmTotals,
    Judgment,
    State,
    Verdict,
    judge,
)
from opsbot.experiments.model import (
    ArmKind,
    Design,
    Guardrail,
    Metric,
    format_effect,
    overlaps,
)

START = datetime(2026, 12, 1, tzinfo=UTC)
DAY = timedelta(days=1)


def design(**changes: object) -> Design:
    values: dict[str, object] = {
        "surface": "refund-agent",
        "arm_kind": ArmKind.VERSION,
        "control": "prompt-v12",
        "treatment": "prompt-v13",
        "treatment_share": 0.5,
        "primary": Metric.SUCCESS_RATE,
        "guardrails": (Guardrail(Metric.ESCALATION_RATE, 0.01),),
        "min_effect": 0.02,
        "min_days": 7,
        "min_sample": 500,
    }
    values.update(changes)
    return Design(**values)  # type: ignore[arg-type]


def arm(outcomes: int, success: float, escalated: float = 0.05, cost: float = 0.02) -> ArmTotals:
    successes = round(outcomes * success)
    return ArmTotals(
        outcomes=outcomes,
        successes=successes,
        escalated=round(outcomes * escalated),
        cost=cost * outcomes,
        cost_squares=cost * cost * outcomes * 1.5,
        success_cost=cost * successes,
    )


def judged(d: Design, control: ArmTotals, treatment: ArmTotals, *, day: float = 10) -> Judgment:
    return judge(d, control, treatment, starts_at=START, now=START + day * DAY, tuning_total=12560)


def test_metric_names_read_loosely_and_refuse_what_opsbot_cannot_compute() -> None:
    """Hyphens, spaces and aliases name the same metric; latency is refused with the list."""
    assert metric_named("Success-Rate") == Metric.SUCCESS_RATE
    assert metric_named("cost per successful outcome") == Metric.COST_PER_SUCCESS
    assert metric_named("eval pass rate") == Metric.EVAL_PASS_RATE
    with pytest.raises(OpsError) as refused:
        metric_named("p95 latency")
    assert "cannot compute" in refused.value.message
    assert "`success_rate`" in (refused.value.hint or "")


def test_amounts_are_points_for_rates_and_relative_for_cost() -> None:
    """1pp and 0.01 are one rate step; 10% is cost's; 1% of a rate and pp of cost are refused."""
    assert parse_amount("1pp", Metric.ESCALATION_RATE, "tolerance") == pytest.approx(0.01)
    assert parse_amount("0.5 pp", Metric.SUCCESS_RATE, "tolerance") == pytest.approx(0.005)
    assert parse_amount("0.01", Metric.SUCCESS_RATE, "tolerance") == 0.01
    assert parse_amount("10%", Metric.COST_PER_SUCCESS, "tolerance") == pytest.approx(0.1)
    for text, metric in (("1%", Metric.SUCCESS_RATE), ("2pp", Metric.COST_PER_SUCCESS)):
        with pytest.raises(OpsError):
            parse_amount(text, metric, "tolerance")
    for text in ("abc", "-1pp", "150pp", "nan"):
        with pytest.raises(OpsError):
            parse_amount(text, Metric.SUCCESS_RATE, "tolerance")
    assert format_effect(0.021, Metric.SUCCESS_RATE) == "+2.1 pp"
    assert format_effect(-0.04, Metric.COST_PER_SUCCESS) == "-4.0%"


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"treatment": "prompt-v12"}, "Both arms"),
        (
            {"arm_kind": ArmKind.TAG, "control": "refund-agent", "treatment": "other"},
            "not a telemetry tag",
        ),
        ({"treatment_share": 1.0}, "share of traffic"),
        ({"min_effect": 0.0}, "smallest effect"),
        ({"min_days": 0}, "minimum run time"),
        ({"min_sample": 29}, "at least 30"),
        ({"guardrails": (Guardrail(Metric.SUCCESS_RATE, 0.01),)}, "named twice"),
    ],
)
def test_designs_opsbot_could_not_judge_are_refused(changes: dict[str, object], says: str) -> None:
    """Each flaw in a design gets its own refusal."""
    with pytest.raises(OpsError) as refused:
        check_design(design(**changes), surface_tags=["refund-agent", "refund-agent-b"])
    assert says in refused.value.message


def test_runs_overlap_unless_one_ended_before_the_other_began() -> None:
    """Open-ended runs overlap anything after their start; ended ones only their span."""
    assert overlaps(START, None, START + DAY, None)
    assert overlaps(START + 5 * DAY, None, START, START + 6 * DAY)
    assert not overlaps(START + 6 * DAY, None, START, START + 6 * DAY)
    assert not overlaps(START, START + DAY, START + 2 * DAY, None)


def test_collecting_counts_the_days_left_of_the_run_time() -> None:
    """Three days in, with the sample reached, four days are left."""
    verdict = judged(design(), arm(2000, 0.8), arm(2000, 0.8), day=3)
    assert verdict.state == State.COLLECTING
    assert verdict.label == "collecting (4 days left)"


def test_collecting_estimates_the_days_to_the_minimum_sample_from_the_pace() -> None:
    """Ten days in with 200 of 500 in the smaller arm (20 a day), 15 more days are needed."""
    verdict = judged(design(), arm(200, 0.8), arm(210, 0.8), day=10)
    assert verdict.label == "collecting (15 days left)"
    one_day = judged(design(), arm(490, 0.8), arm(500, 0.8), day=7)
    assert one_day.label == "collecting (1 day left)"


def test_without_any_outcome_it_waits_then_turns_unhealthy() -> None:
    """No outcomes: collecting while run time is left, unhealthy once it ended."""
    assert judged(design(), ArmTotals(), ArmTotals(), day=2).label == "collecting (5 days left)"
    late = judged(design(), ArmTotals(), ArmTotals(), day=8)
    assert late.state == State.UNHEALTHY
    assert "prompt-v12 nor prompt-v13" in late.reason


def test_a_lopsided_split_is_unhealthy_whatever_the_numbers() -> None:
    """4,000 against 5,000 where 50/50 was planned is a sample-ratio mismatch, even early."""
    verdict = judged(design(), arm(4000, 0.8), arm(5000, 0.9), day=2)
    assert verdict.state == State.UNHEALTHY
    assert "Sample-ratio mismatch" in verdict.reason
    planned = judged(design(treatment_share=5000 / 9000), arm(4000, 0.8), arm(5000, 0.8), day=2)
    assert planned.state == State.COLLECTING


def test_a_clear_win_with_guardrails_held_is_ship() -> None:
    """+5 pp success with escalations unchanged: ship, the primary improved, the guardrail held."""
    verdict = judged(design(), arm(10_000, 0.80), arm(10_000, 0.85))
    assert verdict.state == State.SHIP
    assert verdict.primary.verdict == Verdict.IMPROVED
    assert [g.verdict for g in verdict.guardrails] == [Verdict.HELD]


def test_a_clear_loss_is_rollback() -> None:
    """-5 pp success: roll back."""
    verdict = judged(design(), arm(10_000, 0.85), arm(10_000, 0.80))
    assert verdict.state == State.ROLLBACK
    assert "got worse" in verdict.reason


def test_a_breached_guardrail_rolls_back_even_a_winner() -> None:
    """+5 pp success but escalations +5 pp against a 1 pp tolerance: roll back."""
    verdict = judged(design(), arm(10_000, 0.80, 0.05), arm(10_000, 0.85, 0.10))
    assert verdict.state == State.ROLLBACK
    assert "escalation rate guardrail is breached" in verdict.reason


def test_no_effect_is_inconclusive_and_says_the_effect_is_below_the_smallest_worth_it() -> None:
    """Equal arms with plenty of data: inconclusive, any effect under the 2 pp that matters."""
    verdict = judged(design(), arm(40_000, 0.80), arm(40_000, 0.80))
    assert verdict.state == State.INCONCLUSIVE
    assert "smaller than the smallest worth detecting" in verdict.notes[0]


def test_a_winner_whose_guardrail_has_not_held_yet_is_inconclusive() -> None:
    """+5 pp success, escalations +0.5 pp on a 1 pp tolerance with few outcomes: not yet held."""
    verdict = judged(design(), arm(2_000, 0.80, 0.05), arm(2_000, 0.86, 0.055))
    assert verdict.state == State.INCONCLUSIVE
    assert "has not held yet" in verdict.reason


def test_cost_per_success_lower_is_better() -> None:
    """A treatment 30% cheaper per success ships on a cost primary."""
    d = design(primary=Metric.COST_PER_SUCCESS, min_effect=0.1)
    verdict = judged(d, arm(10_000, 0.8, cost=0.02), arm(10_000, 0.8, cost=0.014))
    assert verdict.state == State.SHIP
    assert verdict.primary.estimate == pytest.approx(-0.3)


def test_a_a_through_the_whole_rule_rarely_decides() -> None:
    """300 A/A experiments judged daily for 21 days: at most 5% ever reach ship or rollback."""
    rng = np.random.default_rng(8)
    d = design(min_sample=100)
    tuning = st.tuning_total(0.02, st.rate_unit_variance(0.8))
    decided = 0
    for _ in range(300):
        sums = np.zeros((2, 3))
        for day in range(1, 22):
            for a in range(2):
                n = rng.poisson(300)
                sums[a] += [n, rng.binomial(n, 0.8), rng.binomial(n, 0.05)]
            control, treatment = (
                ArmTotals(outcomes=int(s[0]), successes=int(s[1]), escalated=int(s[2]))
                for s in sums
            )
            verdict = judge(
                d, control, treatment, starts_at=START, now=START + day * DAY, tuning_total=tuning
            )
            if verdict.state in (State.SHIP, State.ROLLBACK):
                decided += 1
                break
    assert decided / 300 <= 0.05
