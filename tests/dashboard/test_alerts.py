"""Entering act posts once to the ops channel and becomes a line of the daily triage."""

from __future__ import annotations

import queue
from datetime import UTC, datetime
from typing import Any

from opsbot.dashboard.alerts import breaches
from opsbot.dashboard.slack import ALERT_JOB, run_alert_check
from tests.telemetry.helpers import ago, make_token, post


def run(bot: Any, token: str, run_id: str, passed: int, total: int = 4) -> None:
    cases = [{"id": f"case-{i}", "passed": i < passed} for i in range(total)]
    answer = post(
        bot,
        "eval-runs",
        {
            "suite": "refunds",
            "tag": "prompt-v12",
            "run_id": run_id,
            "at": ago(minutes=60 - len(run_id)),
            "cases": cases,
        },
        token,
    )
    assert answer.status_code == 201


def alerts_in(slack: Any) -> list[str]:
    return [m.text for m in slack.messages("ai-ops") if "needs action" in m.text]


def test_entering_act_posts_once_per_entry(bot: Any, slack: Any) -> None:
    """A failing run posts to #ai-ops; staying in act posts nothing more; leaving and entering
    act again posts again."""
    token = make_token(bot, "ingest")
    run(bot, token, "r-1", passed=2)
    slack.wait_for(lambda: alerts_in(slack))
    run(bot, token, "r-02", passed=1)  # still act, worse
    run_alert_check(bot.ctx)
    assert len(alerts_in(slack)) == 1
    run(bot, token, "r-003", passed=4)  # back to ok
    run_alert_check(bot.ctx)
    run(bot, token, "r-0004", passed=0)  # act again
    slack.wait_for(lambda: len(alerts_in(slack)) == 2, message="no second alert")
    run_alert_check(bot.ctx)
    [first, second] = alerts_in(slack)
    assert first.startswith("🔴 Eval pass rate for `refunds` needs action: 50%")
    assert second.startswith("🔴 Eval pass rate for `refunds` needs action: 0%")


def test_breaches_are_lines_for_the_daily_triage(bot: Any, slack: Any) -> None:
    """breaches(session, now) lists each entry in act with since when and why."""
    token = make_token(bot, "ingest")
    run(bot, token, "r-1", passed=1)
    slack.wait_for(lambda: alerts_in(slack))
    with bot.ctx.tx() as session:
        lines = breaches(session, bot.ctx.clock())
    [line] = lines
    assert line.startswith("🔴 *Eval pass rate* `refunds` in act since ")
    assert "25% of its cases" in line
    run(bot, token, "r-2", passed=4)
    run_alert_check(bot.ctx)
    with bot.ctx.tx() as session:
        [line] = breaches(session, bot.ctx.clock())
    assert line.startswith("↩️ *Eval pass rate* `refunds` was in act from ")


def fire(bot: Any, job_id: str) -> bool:
    """Make the bot's scheduler run ``job_id`` now; whether it ran there (the event's retval)."""
    from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED

    results: queue.Queue[Any] = queue.Queue()

    def heard(event: Any) -> None:
        if event.job_id == job_id:
            results.put(event)

    aps = bot.bot.scheduler.aps
    aps.add_listener(heard, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    try:
        aps.modify_job(job_id, next_run_time=datetime.now(UTC))
        event = results.get(timeout=30)
    finally:
        aps.remove_listener(heard)
    assert event.exception is None
    return bool(event.retval)


def test_the_act_check_runs_only_on_the_scheduler_leader(slack: Any, database_url: str) -> None:
    """Of two replicas on one database, the follower's act-check job does nothing and the
    leader's posts the alert; the job recurs every five minutes."""
    from opsbot.telemetry.ingest import store_batch
    from opsbot.telemetry.schemas import EvalRunIn
    from opsbot.testing.live import LiveBot

    with LiveBot(slack, database_url) as leader, LiveBot(slack, database_url) as follower:
        assert leader.bot.scheduler.leadership.is_leader
        assert not follower.bot.scheduler.leadership.is_leader
        job = follower.bot.scheduler.aps.get_job(ALERT_JOB)
        assert job.trigger.interval.total_seconds() == 300
        cases = [{"id": f"case-{i}", "passed": i < 1} for i in range(4)]
        run = {"suite": "refunds", "tag": "p", "run_id": "r-1", "at": ago(hours=1), "cases": cases}
        with follower.ctx.tx() as session:  # stored without the API, whose answer runs a check
            hooks = follower.ctx.eval_run_hooks
            store_batch(session, EvalRunIn(**run), now=follower.ctx.clock(), eval_run_hooks=hooks)
        assert fire(follower, ALERT_JOB) is False
        with follower.ctx.tx() as session:
            assert breaches(session, follower.ctx.clock()) == []  # no check recorded act
        assert fire(leader, ALERT_JOB) is True
        slack.wait_for(lambda: alerts_in(slack), message="the leader's check posted nothing")
        assert len(alerts_in(slack)) == 1


def test_daily_triage_lists_the_breach(bot: Any, slack: Any) -> None:
    """The triage provider the dashboard registers on the context lists the breach."""
    from opsbot.rituals.context_gathering import exceptions

    token = make_token(bot, "ingest")
    run(bot, token, "r-1", passed=1)
    slack.wait_for(lambda: alerts_in(slack))
    with bot.ctx.tx() as session:
        lines = exceptions(session, bot.ctx.clock(), bot.ctx.triage_exceptions)
    assert any(line.startswith("🔴 *Eval pass rate* `refunds` in act since") for line in lines)
