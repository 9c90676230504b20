"""The outbox and its delivery worker: nothing lost, nothing doubled, Slack's pace kept."""

from __future__ import annotations

import time
import urllib.request

from sqlmodel import select

from opsbot import outbox
from opsbot.outbox import OutboxJob


def _post(bot, channel: str, text: str, **kwargs) -> int:
    with bot.ctx.tx() as session:
        job = outbox.post(session, channel=channel, text=text, **kwargs)
        return int(job.id)


def _job(bot, job_id: int) -> OutboxJob:
    with bot.ctx.tx() as session:
        job = session.get(OutboxJob, job_id)
        assert job is not None
        return job


def _texts(slack, channel: str) -> list[str]:
    return [m.text for m in slack.messages(channel)]


def test_a_message_written_to_the_outbox_reaches_slack(bot, slack) -> None:
    """A committed outbox post is sent and its ts remembered under its key."""
    _post(bot, "general", "hello", key="greeting")
    slack.wait_for(lambda: _texts(slack, "general") == ["hello"])
    with bot.ctx.tx() as session:
        slack.wait_for(lambda: outbox.posted(session, "greeting"))
    message = slack.messages("general")[0]
    with bot.ctx.tx() as session:
        posted = outbox.posted(session, "greeting")
        assert posted is not None and posted.ts == message.ts


def test_rate_limited_posts_wait_for_retry_after(bot, slack) -> None:
    """A 429 with Retry-After delays the message by that long, then it is sent once."""
    slack.fail("chat.postMessage", status=429, retry_after=1, times=2)
    started = time.monotonic()
    _post(bot, "general", "after the limit")
    slack.wait_for(lambda: _texts(slack, "general") == ["after the limit"], timeout=10)
    assert time.monotonic() - started >= 2.0
    assert [c.status for c in slack.calls("chat.postMessage")] == [429, 429, 200]


def test_server_errors_are_retried_with_backoff(bot, slack) -> None:
    """5xx answers for a while delay a message; it arrives once when Slack recovers."""
    slack.fail("chat.postMessage", status=500, times=3)
    job_id = _post(bot, "general", "after the outage")
    slack.wait_for(lambda: _texts(slack, "general") == ["after the outage"], timeout=15)
    assert [c.status for c in slack.calls("chat.postMessage")] == [500, 500, 500, 200]
    slack.wait_for(lambda: _job(bot, job_id).status == "done")
    assert _job(bot, job_id).attempts == 3


def test_a_permanent_error_is_stored_counted_and_not_retried(bot, slack) -> None:
    """channel_not_found ends the job with its error, counts a failure and is tried once."""
    job_id = _post(bot, "no-such-channel", "lost cause")
    slack.wait_for(lambda: _job(bot, job_id).status == "failed")
    assert _job(bot, job_id).error == "channel_not_found"
    assert _job(bot, job_id).attempts == 0  # failed is final: no worker claims it again
    assert len(slack.calls("chat.postMessage")) == 1
    metrics = urllib.request.urlopen(f"{bot.url}/metrics").read().decode()
    assert 'opsbot_delivery_failures_total{error="channel_not_found",kind="post"} 1.0' in metrics


def test_invalid_blocks_fail_without_blocking_the_next_message(bot, slack) -> None:
    """A message Slack refuses (over 50 blocks) fails alone; the next one in the lane goes."""
    too_many = [{"type": "divider"}] * 51
    bad = _post(bot, "general", "too big", blocks=too_many)
    _post(bot, "general", "fine")
    slack.wait_for(lambda: _texts(slack, "general") == ["fine"], timeout=10)
    assert _job(bot, bad).error == "invalid_blocks"


def test_one_message_per_second_per_channel(bot, slack) -> None:
    """Three posts to one channel never trip Slack's pace (the stand-in would answer 429)."""
    slack.pace(enabled=True)
    for n in range(3):
        _post(bot, "general", f"m{n}")
    _post(bot, "ai-ops", "elsewhere")
    slack.wait_for(lambda: _texts(slack, "ai-ops") == ["elsewhere"], timeout=3)
    slack.wait_for(lambda: _texts(slack, "general") == ["m0", "m1", "m2"], timeout=10)
    assert all(c.status == 200 for c in slack.calls("chat.postMessage"))


def test_an_edit_waits_for_the_message_and_only_the_newest_edit_is_sent(bot, slack) -> None:
    """Edits of a keyed message follow its post, and a newer unsent edit replaces an older one."""
    slack.fail("chat.postMessage", status=503, times=1)
    _post(bot, "general", "v1", key="panel")
    with bot.ctx.tx() as session:
        outbox.update_message(session, key="panel", lane="general", text="v2")
        outbox.update_message(session, key="panel", lane="general", text="v3")
    slack.wait_for(lambda: _texts(slack, "general") == ["v3"], timeout=10)
    assert [c.args.get("text") for c in slack.calls("chat.update")] == ["v3"]


def test_pending_jobs_are_sent_after_a_restart(bot, slack) -> None:
    """Jobs left unsent when the process stopped are sent by the next process."""
    slack.fail("chat.postMessage", status=500, times=None)
    _post(bot, "general", "survives")
    slack.wait_for(lambda: slack.calls("chat.postMessage"))
    bot.stop()
    slack.clear_faults()
    bot.start()
    slack.wait_for(lambda: _texts(slack, "general") == ["survives"], timeout=10)


def test_a_chain_of_steps_resumes_at_the_first_step_not_done(bot, slack) -> None:
    """A job creates a channel, posts in it and pins the post; a failure mid-way resumes there."""
    slack.fail("pins.add", status=500, times=1)
    with bot.ctx.tx() as session:
        outbox.enqueue(
            session,
            kind="chain",
            lane="chain:1",
            steps=[
                outbox.step(
                    "conversations.create", name="chain-test", save={"channel_id": "channel.id"}
                ),
                outbox.step(
                    "chat.postMessage",
                    channel=outbox.ref("channel_id"),
                    text="panel",
                    key="chain:panel",
                ),
                outbox.step(
                    "pins.add",
                    channel=outbox.ref("channel_id"),
                    timestamp=outbox.message_ref("chain:panel", "ts"),
                ),
            ],
        )
    slack.wait_for(
        lambda: any(c.name == "chain-test" and c.pins for c in slack.channels()), timeout=10
    )
    assert len(slack.calls("conversations.create")) == 1
    assert _texts(slack, "chain-test") == ["panel"]
    slack.wait_for(lambda: _job(bot, 1).status == "done")
    with bot.ctx.tx() as session:
        jobs = list(session.exec(select(OutboxJob)))
    assert [j.status for j in jobs] == ["done"]


def test_an_edit_of_a_message_that_was_never_posted_fails_instead_of_waiting(bot, slack) -> None:
    """When a keyed post fails for good, its pending edits fail too rather than wait forever."""
    _post(bot, "no-such-channel", "never", key="ghost")
    with bot.ctx.tx() as session:
        edit = outbox.update_message(session, key="ghost", lane="no-such-channel", text="edit")
        edit_id = int(edit.id or 0)
    slack.wait_for(lambda: _job(bot, edit_id).status == "failed", timeout=10)
    assert "never posted" in (_job(bot, edit_id).error or "")
