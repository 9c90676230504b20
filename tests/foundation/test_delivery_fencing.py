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
    first, second = workers(lease_seconds=2), workers(lease_seconds=2)
    slack.wait_for(lambda: all(_job(engine, i).status == "done" for i in ids), timeout=40)
    assert Counter(_texts(slack, *channels)) == Counter(f"m{n}" for n in range(6))
    for index, channel in enumerate(channels):
        assert _texts(slack, channel) == [f"m{index}", f"m{index + 3}"]
    assert first.stats.lost + second.stats.lost == 0
