"""Several delivery workers (replicas) share one outbox without doubling a message."""

from __future__ import annotations

from collections import Counter

from opsbot import outbox
from opsbot.clock import utcnow
from opsbot.db import make_engine, transaction
from opsbot.delivery import Delivery
from opsbot.slack.app import web_client
from opsbot.testing.live import BOT_TOKEN


def test_two_workers_send_each_message_once(slack, database_url) -> None:
    """Two workers claiming from one outbox post every message exactly once, in lane order."""
    channels = ["general", "incidents", "customer-comms", "ai-ops"]
    engine = make_engine(database_url)
    with transaction(engine) as session:
        for n in range(24):
            outbox.post(session, channel=channels[n % 4], text=f"m{n}", now=utcnow())
    workers = [
        Delivery(
            engine,
            web_client(BOT_TOKEN, slack.api_url, retries=False),
            poll_seconds=0.02,
            retry_base_seconds=0.05,
        )
        for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    try:
        slack.wait_for(lambda: sum(len(slack.messages(c)) for c in channels) >= 24, timeout=30)
    finally:
        for worker in workers:
            worker.stop()
        engine.dispose()
    texts = Counter(m.text for c in channels for m in slack.messages(c))
    assert texts == Counter(f"m{n}" for n in range(24))
    for index, channel in enumerate(channels):
        assert [m.text for m in slack.messages(channel)] == [f"m{n}" for n in range(index, 24, 4)]
    assert sum(w.stats.sent for w in workers) == 24
