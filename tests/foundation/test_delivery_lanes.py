"""Lanes run side by side: a slow or refused Slack call holds up only what must follow it."""

from __future__ import annotations

from typing import Any

from opsbot import outbox
from opsbot.outbox import OutboxJob


def _post(bot: Any, channel: str, text: str, **kwargs: Any) -> int:
    with bot.ctx.tx() as session:
        job = outbox.post(session, channel=channel, text=text, now=bot.ctx.clock(), **kwargs)
        return int(job.id or 0)


def _status(bot: Any, job_id: int) -> str:
    with bot.ctx.tx() as session:
        job = session.get(OutboxJob, job_id)
        assert job is not None
        return job.status


def _texts(slack: Any, channel: str) -> list[str]:
    return [m.text for m in slack.messages(channel)]


def test_a_held_post_holds_up_its_own_lane_and_nothing_else(bot, slack) -> None:
    """While Slack holds a post to #incidents, a post to #general is sent and recorded, and the
    next post of the held lane waits behind the held one."""
    hold = slack.hold("chat.postMessage", channel="incidents", after_effect=False)
    slow = _post(bot, "incidents", "slow")
    behind = _post(bot, "incidents", "behind the slow one")
    other = _post(bot, "general", "unrelated")
    slack.wait_for(lambda: hold.arrived == 1)
    slack.wait_for(lambda: _status(bot, other) == "done")
    assert (_status(bot, slow), _status(bot, behind)) == ("in_flight", "pending")
    assert _texts(slack, "incidents") == []
    hold.release()
    slack.wait_for(lambda: _texts(slack, "incidents") == ["slow", "behind the slow one"])


def _daily_jobs(bot: Any) -> list[OutboxJob]:
    with bot.ctx.tx() as session:
        return [
            j
            for j in outbox.unfinished(session)
            if str(j.steps[0]["args"].get("text")).startswith("Daily exception triage")
        ]


def test_one_ritual_message_slack_keeps_refusing_delays_no_other_ritual(bot, slack) -> None:
    """Slack answering 500 to the daily triage's check-in, again and again, does not delay the
    eval calibration's check-in in the same channel; the refused one still waits, to be retried."""
    slack.fail("chat.postMessage", status=500, text="Daily exception triage", times=None)
    alice = slack.person("alice")
    alice.command("/ritual", "run daily-exception-triage", channel="ai-ops")
    slack.wait_for(lambda: [j for j in _daily_jobs(bot) if j.error == "internal_error"])
    alice.command("/ritual", "run biweekly-eval-calibration", channel="ai-ops")
    slack.wait_for(
        lambda: [t for t in _texts(slack, "ai-ops") if t.startswith("Biweekly eval")], timeout=10
    )
    assert not [t for t in _texts(slack, "ai-ops") if t.startswith("Daily exception triage")]
    assert len(_daily_jobs(bot)) == 1


def test_posts_from_many_lanes_to_one_channel_keep_its_pace(bot, slack) -> None:
    """Four lanes posting to #general at once are spread over about three seconds (Slack's
    pace of a message a second per channel), not sent together."""
    for n in range(4):
        _post(bot, "general", f"m{n}", lane=f"channel:general-{n}")
    slack.wait_for(lambda: len(_texts(slack, "general")) == 4, timeout=15)
    times = [float(m.ts) for m in slack.messages("general")]
    assert max(times) - min(times) >= 0.8 * 3  # unpaced, the four would land together
