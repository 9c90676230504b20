"""Experiments on simulated outcomes with known effects, registered and read through the API,
judged after the ingest, and told in the card's thread once the minimum run time is over."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import select

from opsbot.experiments import slack as experiments_slack
from opsbot.outbox import OutboxJob

from .conftest import (
    DAY,
    T0,
    card,
    day_of_outcomes,
    experiment,
    flat,
    ingest,
    register,
    simulate,
    thread,
)

SCENARIOS = {
    "clear win": (
        {"successes": 0.80},
        {"successes": 0.88},
        (500, 500),
        "ship",
        "improved and every guardrail held",
    ),
    "clear loss": (
        {"successes": 0.80},
        {"successes": 0.72},
        (500, 500),
        "rollback",
        "success rate got worse",
    ),
    "no effect": (
        {"successes": 0.80},
        {"successes": 0.80},
        (500, 500),
        "inconclusive",
        "No difference in the success rate",
    ),
    "guardrail breach": (
        {"successes": 0.80, "escalated": 0.05},
        {"successes": 0.88, "escalated": 0.10},
        (500, 500),
        "rollback",
        "escalation rate guardrail is breached",
    ),
    "sample-ratio mismatch": (
        {"successes": 0.80},
        {"successes": 0.80},
        (500, 400),
        "unhealthy",
        "Sample-ratio mismatch",
    ),
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_known_effects_reach_their_state(
    name: str, slack: Any, xbot: Any, token: str, clock: Any
) -> None:
    """Eight days of outcomes with a known effect end in the state the rule fixed in advance
    gives; the card shows it and its thread is told once."""
    control, treatment, per_day, state, reason = SCENARIOS[name]
    response = register(xbot, token)
    assert response.status_code == 201, response.text
    key = response.json()["experiment"]["key"]
    assert key == "refund-agent-1"
    clock.move_to(T0 + 8 * DAY)
    simulate(xbot, token, days=8, control=control, treatment=treatment, per_day=per_day)
    found = slack.wait_for(
        lambda: (e := experiment(xbot, token, key))["state"] == state and e, timeout=15
    )
    assert reason in found["analysis"]["reason"]
    notices = slack.wait_for(lambda: thread(slack, key), timeout=10)
    assert len(notices) == 1
    assert f"*{state}* (was collecting)" in notices[0].text
    shown = slack.wait_for(
        lambda: state in flat(card(slack, key).blocks) and card(slack, key), timeout=10
    )
    assert shown.edits >= 1  # the card was edited in place, never posted again
    assert reason.split(" ")[0] in flat(shown.blocks)


def test_a_state_before_the_minimum_run_time_is_shown_but_not_told(
    slack: Any, xbot: Any, token: str, clock: Any
) -> None:
    """A sample-ratio mismatch on day 3 shows on the card, but the thread hears nothing until
    the minimum run time is over; the daily look then tells it once."""
    key = register(xbot, token).json()["experiment"]["key"]
    clock.move_to(T0 + 3 * DAY)
    simulate(
        xbot, token, days=3, control={"successes": 0.8}, treatment={"successes": 0.8},
        per_day=(500, 380),
    )  # fmt: skip
    slack.wait_for(lambda: experiment(xbot, token, key)["state"] == "unhealthy", timeout=15)
    slack.wait_for(lambda: "unhealthy" in flat(card(slack, key).blocks), timeout=10)

    def notices() -> int:
        with xbot.ctx.tx() as session:
            jobs = session.exec(select(OutboxJob).where(OutboxJob.kind == "experiment.notice"))
            return len(jobs.all())

    assert notices() == 0 and thread(slack, key) == []
    clock.move_to(T0 + 7 * DAY + timedelta(minutes=1))
    lines = experiments_slack.judge_all(xbot.ctx)
    assert lines == [
        f"Experiment {key} is now unhealthy (was collecting); its thread in #ai-ops says why."
    ]
    told = slack.wait_for(lambda: thread(slack, key))
    assert "*unhealthy* (was collecting)" in told[0].text
    assert experiments_slack.judge_all(xbot.ctx) == []
    assert notices() == 1


def test_collecting_counts_down_the_days(slack: Any, xbot: Any, token: str, clock: Any) -> None:
    """Two days and an hour in, with the sample reached, the card says collecting (5 days
    left): the run time left, rounded up to whole days."""
    key = register(xbot, token).json()["experiment"]["key"]
    assert experiment(xbot, token, key)["state_label"] == "collecting (7 days left)"
    clock.move_to(T0 + 2 * DAY + timedelta(hours=1))
    simulate(xbot, token, days=2, control={"successes": 0.8}, treatment={"successes": 0.8})
    slack.wait_for(
        lambda: experiment(xbot, token, key)["state_label"] == "collecting (5 days left)",
        timeout=15,
    )
    slack.wait_for(lambda: "collecting (5 days left)" in flat(card(slack, key).blocks))


def test_tag_arms_and_a_late_start(slack: Any, xbot: Any, token: str, clock: Any) -> None:
    """Two telemetry tags of the surface, registered a week after they started: the outcomes
    since the start count, and the card says it was registered late."""
    records = []
    for day in range(8):
        records += day_of_outcomes(day, version="", n=500, successes=0.80, tag="refund-agent")
        records += day_of_outcomes(day, version="", n=500, successes=0.88, tag="refund-agent-b")
    for record in records:
        del record["version"]
    clock.move_to(T0 + 8 * DAY)
    ingest(xbot, token, records)
    response = register(
        xbot,
        token,
        arm_kind="tag",
        control="refund-agent",
        treatment="refund-agent-b",
        start=T0.isoformat(),
        key="b-tag-prompt",
    )
    assert response.status_code == 201, response.text
    found = response.json()["experiment"]
    assert found["registered_late"] is True
    assert found["state"] == "ship"
    assert found["analysis"]["samples"] == {"control": 4000, "treatment": 4000}
    shown = flat(card(slack, "b-tag-prompt").blocks)
    assert "Registered late" in shown
    told = slack.wait_for(lambda: thread(slack, "b-tag-prompt"))
    assert "*ship* (was collecting)" in told[0].text
