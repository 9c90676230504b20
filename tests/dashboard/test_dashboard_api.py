"""Metric correctness through the API: feed known telemetry, read known numbers back."""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import pytest
from scipy.stats import ks_2samp

from opsbot.config import parse_config
from opsbot.dashboard.drift import psi_from_scores
from tests.telemetry.helpers import ago, get_dashboard, make_token, outcomes, post, scores


def entry(board: dict[str, Any], metric: str, **key: str) -> dict[str, Any]:
    [found] = [e for e in board[metric] if all(e[k] == v for k, v in key.items())]
    return found


def test_drift_matches_the_reference_psi_and_ks(bot: Any) -> None:
    """PSI and KS from the rollups equal PSI on raw scores and scipy's KS, and drift is act."""
    rng = random.Random(7)
    before = [round(rng.betavariate(8, 2), 3) for _ in range(2000)]
    now = [round(rng.betavariate(4, 3), 3) for _ in range(2000)]
    token = make_token(bot, "ingest", "read")
    for chunk in range(0, 2000, 500):
        post(
            bot,
            "confidence",
            {
                "records": scores(
                    "refund-agent", before[chunk : chunk + 500], days_ago=12 + chunk / 500
                )
            },
            token,
        )
        post(
            bot,
            "confidence",
            {"records": scores("refund-agent", now[chunk : chunk + 500], days_ago=1 + chunk / 500)},
            token,
        )
    board = get_dashboard(bot, token).json()
    drift = entry(board, "drift", tag="refund-agent")
    assert drift["n_baseline"] == drift["n_current"] == 2000
    assert drift["value"] == pytest.approx(psi_from_scores(before, now), abs=1e-6)
    assert drift["ks"] == pytest.approx(ks_2samp(before, now).statistic, abs=1e-9)
    assert drift["state"] == "act" and "PSI" in drift["reason"]


def test_drift_needs_200_scores_in_each_window(bot: Any) -> None:
    """With 150 scores this week drift is insufficient-data, and the reason says why."""
    token = make_token(bot, "ingest")
    post(bot, "confidence", {"records": scores("t", [0.5] * 300, days_ago=10)}, token)
    post(bot, "confidence", {"records": scores("t", [0.6] * 150, days_ago=1)}, token)
    drift = entry(get_dashboard(bot, token).json(), "drift", tag="t")
    assert drift["state"] == "insufficient-data"
    assert "150 scores" in drift["reason"] and "200" in drift["reason"]


def test_override_escalation_and_cost(bot: Any) -> None:
    """This week's rates and cost per success against the four weeks before, with their states."""
    token = make_token(bot, "ingest")
    records = []
    for week in (1, 2, 3, 4):  # 40 decisions a week: 4 overridden (10%), 2 escalated (5%)
        records += outcomes(
            "refund-agent",
            {"autonomous": 34, "overridden": 4, "escalated": 2},
            days_ago=7 * week + 3,
            cost=0.1,
        )
    records += outcomes(
        "refund-agent", {"autonomous": 28, "overridden": 10, "escalated": 2}, days_ago=2, cost=0.1
    )  # 25% overridden
    records += outcomes("refund-agent", {"failed": 40}, days_ago=2, cost=0.1, success=False)
    post(bot, "outcomes", {"records": records}, token)
    board = get_dashboard(bot, token).json()
    override = entry(board, "override_rate", tag="refund-agent")
    assert (override["value"], override["previous"], override["decisions"]) == (0.125, 0.1, 80)
    assert override["state"] == "watch"  # 12.5% is 1.25x the previous weeks' 10%
    escalation = entry(board, "escalation_rate", tag="refund-agent")
    assert (escalation["value"], escalation["previous"]) == (0.025, 0.05)
    assert escalation["state"] == "ok"
    cost = entry(board, "cost_to_outcome", tag="refund-agent")
    assert cost["value"] == pytest.approx(8.0 / 40)  # 80 decisions cost 8, 40 succeeded
    assert cost["previous"] == pytest.approx(0.1)
    assert cost["state"] == "act" and "2×" in cost["reason"]


def test_eval_pass_rate_latest_run_against_the_previous(bot: Any) -> None:
    """The latest run's pass rate is compared with the runs before it."""
    token = make_token(bot, "ingest")
    for number, (hours, passed) in enumerate([(30, 4), (20, 4), (10, 2)], start=1):
        cases = [{"id": f"case-{i}", "passed": i < passed} for i in range(4)]
        post(
            bot,
            "eval-runs",
            {
                "suite": "refunds",
                "tag": "prompt-v12",
                "run_id": f"r-{number}",
                "at": ago(hours=hours),
                "cases": cases,
            },
            token,
        )
    rate = entry(get_dashboard(bot, token).json(), "eval_pass_rate", suite="refunds")
    assert (rate["value"], rate["previous"], rate["runs"], rate["run_id"]) == (0.5, 1.0, 3, "r-3")
    assert rate["state"] == "act"


@pytest.fixture
def tuned_bot(slack: Any, database_url: str) -> Iterator[Any]:
    from opsbot.testing.live import LiveBot

    config = parse_config("dashboard: {drift_min_n: 50, eval_threshold: 0.5}")
    with LiveBot(slack, database_url, config=config) as live:
        yield live


def test_windows_and_thresholds_come_from_the_configuration(tuned_bot: Any) -> None:
    """dashboard.drift_min_n and eval_threshold in the YAML change the states."""
    token = make_token(tuned_bot, "ingest")
    post(
        tuned_bot,
        "confidence",
        {"records": scores("t", [0.5] * 60, days_ago=10) + scores("t", [0.5] * 60, days_ago=1)},
        token,
    )
    post(
        tuned_bot,
        "eval-runs",
        {
            "suite": "s",
            "tag": "x",
            "run_id": "1",
            "at": ago(hours=1),
            "cases": [{"id": "a", "passed": True}, {"id": "b", "passed": False}],
        },
        token,
    )
    board = get_dashboard(tuned_bot, token).json()
    assert entry(board, "drift", tag="t")["state"] == "ok"
    assert entry(board, "eval_pass_rate", suite="s")["state"] == "ok"
