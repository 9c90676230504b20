"""Incident fixtures: a workspace with people in team roles, and opsbot configured for them."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from opsbot.config import parse_config


class FastClock:
    """A clock running ``factor`` times faster than real time, which tests can also move on.

    Delivery keeps Slack's one message per second per channel on the bot's clock, so a fast
    clock lets a whole lifecycle's messages through in a fraction of the real time.
    """

    def __init__(self, factor: float = 25.0) -> None:
        self.factor = factor
        self.start = datetime.now(UTC)
        self.began = time.monotonic()
        self.offset = timedelta(0)
        self.lock = threading.Lock()

    def __call__(self) -> datetime:
        with self.lock:
            elapsed = (time.monotonic() - self.began) * self.factor
            return self.start + timedelta(seconds=elapsed) + self.offset

    def advance(self, **delta: float) -> datetime:
        with self.lock:
            self.offset += timedelta(**delta)
        return self()


@pytest.fixture
def clock() -> FastClock:
    return FastClock()


@pytest.fixture
def people(slack: Any) -> dict[str, Any]:
    """alice declares, bob leads product ops, carol is the governance partner, dave the admin."""
    return {name: slack.person(name) for name in ("alice", "bob", "carol", "dave", "erin")}


@pytest.fixture
def config(people: dict[str, Any]) -> Any:
    p = {name: person.id for name, person in people.items()}
    return parse_config(f"""
team:
  product-ops-lead: [{p["bob"]}]
  governance-partner: [{p["carol"]}]
incidents:
  admins: [{p["dave"]}]
  invite_roles: {{sev1: [product-ops-lead, governance-partner], sev2: [product-ops-lead]}}
""")


@pytest.fixture
def ibot(slack: Any, database_url: str, config: Any, clock: FastClock) -> Iterator[Any]:
    """opsbot with the incident configuration above, over loopback against the stand-in."""
    from opsbot.testing.live import LiveBot

    live = LiveBot(slack, database_url, config=config, clock=clock)
    live.start()
    yield live
    live.stop()
