"""Fenced claims: a delivery worker that lost its claim sends and records nothing more, and
leases outlive slow Slack calls, so replicas never post a message twice."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session

from opsbot import outbox
from opsbot.clock import utcnow
from opsbot.db import make_engine, transaction
from opsbot.delivery import Delivery
from opsbot.outbox import OutboxJob, SlackMessage
from opsbot.slack.app import web_client
from opsbot.testing.live import BOT_TOKEN


class AheadClock:
    """The wall clock moved on by ``offset``, which the test can move further."""

    def __init__(self, offset: timedelta) -> None:
        self.offset = offset

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


def later() -> datetime:
    """The wall clock an hour on: to it, every lease taken on the wall clock has run out."""
    return datetime.now(UTC) + timedelta(hours=1)


@pytest.fixture
def workers(slack: Any, database_url: str) -> Iterator[Any]:
    """Start delivery workers (replicas, each with its own engine) on one outbox; all stopped
    after the test. ``workers.engine`` is the test's own, for reading."""
    engine = make_engine(database_url)
    started: list[Delivery] = []

    def start(**kwargs: Any) -> Delivery:
        worker = Delivery(
            make_engine(database_url),
            web_client(BOT_TOKEN, slack.api_url, retries=False),
            poll_seconds=0.02,
            retry_base_seconds=0.05,
            **kwargs,
        )
        worker.start()
        started.append(worker)
        return worker

    start.engine = engine  # type: ignore[attr-defined]
    yield start
    slack.clear_faults()
    for worker in started:
        worker.stop()
        worker.engine.dispose()
    engine.dispose()


def _job(engine: Any, job_id: int) -> OutboxJob:
    with Session(engine) as session:
        job = session.get(OutboxJob, job_id)
        assert job is not None
        return job


def _texts(slack: Any, *channels: str) -> list[str]:
    return [m.text for c in channels for m in slack.messages(c)]


def test_a_worker_whose_claim_was_taken_over_sends_and_records_nothing_more(slack, workers) -> None:
    """A is held inside a post; B, to whom A's lease has run out, takes the job over, finds the
    post on Slack and sends the next step; when A's answer finally comes, A records nothing
    and does not send the next step again."""
    engine = workers.engine
    with transaction(engine) as session:
        job = outbox.enqueue(
            session,
            kind="chain",
            lane="channel:chain",
            now=utcnow(),
            steps=[
                outbox.step("chat.postMessage", channel="general", text="one", key="one"),
                outbox.step("chat.postMessage", channel="ai-ops", text="two"),
            ],
        )
        job_id = int(job.id or 0)
    hold = slack.hold("chat.postMessage")
    a = workers(lease_seconds=2)
    slack.wait_for(lambda: hold.arrived == 1)
    b = workers(lease_seconds=2, clock=later)
    slack.wait_for(lambda: _job(engine, job_id).status == "done", timeout=10)
    hold.release()
    # until A has seen its claim lost, or has sent the second step again
    slack.wait_for(
        lambda: getattr(a.stats, "lost", 0) == 1 or len(_texts(slack, "ai-ops")) > 1, timeout=10
    )
    assert _texts(slack, "general", "ai-ops") == ["one", "two"]
    assert (a.stats.lost, a.stats.sent, b.stats.sent) == (1, 0, 2)
    with Session(engine) as session:
        one = session.get(SlackMessage, "one")
    assert one is not None and one.ts == slack.messages("general")[0].ts
    assert _job(engine, job_id).step_index == 2


def test_a_stalled_workers_call_is_not_repeated_while_it_may_still_reach_slack(
    slack, workers
) -> None:
    """A's post is held before Slack applies it, and A's lease looks run out to B: B takes the
    job over but sends nothing while A's call may still be under way; A's post lands, A records
    nothing, and once such a call has surely ended B finds the post instead of sending it."""
    engine = workers.engine
    with transaction(engine) as session:
        job_id = int(outbox.post(session, channel="general", text="once", now=utcnow()).id or 0)
    hold = slack.hold("chat.postMessage", after_effect=False)
    a = workers(lease_seconds=2)
    slack.wait_for(lambda: hold.arrived == 1)
    b_clock = AheadClock(timedelta(seconds=5))  # past A's lease, within a call's time limit
    b = workers(lease_seconds=2, clock=b_clock)
    slack.wait_for(lambda: _job(engine, job_id).claimed_by == b.worker_id)
    slack.wait_for(lambda: _job(engine, job_id).status == "pending")
    assert _job(engine, job_id).next_attempt_at > b_clock() + timedelta(seconds=5)
    hold.release()
    slack.wait_for(lambda: getattr(a.stats, "lost", 0) == 1 or a.stats.sent == 1)
    assert (a.stats.lost, a.stats.sent) == (1, 0)
    b_clock.offset += timedelta(minutes=1)  # now any call of A's has surely ended
    b.wake()
    slack.wait_for(lambda: _job(engine, job_id).status == "done")
    assert _texts(slack, "general") == ["once"]
    assert [c.status for c in slack.calls("chat.postMessage")] == [200]


def test_two_replicas_with_a_short_lease_and_a_slow_slack_post_each_message_once(
    slack, workers
) -> None:
    """Two workers with a 2-second lease while Slack takes 3 s before it posts: every message
    is posted exactly once, in its lane's order."""
    engine = workers.engine
    channels = ["general", "incidents", "customer-comms"]
    with transaction(engine) as session:
        ids = [
            int(outbox.post(session, channel=channels[n % 3], text=f"m{n}", now=utcnow()).id or 0)
            for n in range(6)
        ]
    slack.fail("chat.postMessage", error=None, delay=3.0, delay_after_effect=False, times=None)
    for _ in range(2):
        workers(lease_seconds=2)
    slack.wait_for(lambda: all(_job(engine, i).status == "done" for i in ids), timeout=40)
    assert Counter(_texts(slack, *channels)) == Counter(f"m{n}" for n in range(6))
    for index, channel in enumerate(channels):
        assert _texts(slack, channel) == [f"m{index}", f"m{index + 3}"]


def test_a_slow_call_keeps_its_claim_by_renewing_the_lease(slack, workers) -> None:
    """While Slack holds a post for several 1-second leases, the worker keeps renewing its
    claim: the job stays in its hands, and it records the step when the answer comes."""
    engine = workers.engine
    with transaction(engine) as session:
        job_id = int(outbox.post(session, channel="general", text="slow", now=utcnow()).id or 0)
    hold = slack.hold("chat.postMessage", after_effect=False)
    worker = workers(lease_seconds=1)
    slack.wait_for(lambda: hold.arrived == 1)
    first = _job(engine, job_id)
    assert first.lease_until is not None
    slack.wait_for(
        lambda: (
            (_job(engine, job_id).lease_until or first.lease_until)
            >= first.lease_until + timedelta(seconds=2)
        ),
        timeout=10,
        message="the lease was not renewed while the call was under way",
    )
    assert (_job(engine, job_id).status, _job(engine, job_id).claim_token) == (
        "in_flight",
        first.claim_token,
    )
    hold.release()
    slack.wait_for(lambda: _job(engine, job_id).status == "done")
    assert (worker.stats.sent, worker.stats.lost) == (1, 0)
    assert _texts(slack, "general") == ["slow"]
