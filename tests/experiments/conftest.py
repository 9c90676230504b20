"""Experiment test helpers: opsbot on a configuration with one surface and the weekly review,
a frozen (but ticking) clock, simulated outcomes with known effects, and the API."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from freezegun import freeze_time

from opsbot.config import parse_config
from opsbot.testing.live import LiveBot
from tests.telemetry.helpers import make_token, post

T0 = datetime(2026, 12, 1, 6, 30, tzinfo=UTC)  # a Tuesday
DAY = timedelta(days=1)

CONFIG = """
team: {{product-ops-lead: [{alice}], eval-engineer: [{bob}]}}
rituals:
  - key: weekly-model-workflow-review
    name: Weekly model and workflow review
    schedule: {{cron: "0 10 * * mon"}}
    channel: ai-ops
    owners: ["role:product-ops-lead"]
    window_minutes: 240
    questions: ["What changed in the models and workflows?"]
    decision_outputs: ["Owner and due date for each change"]
surfaces:
  - key: refund-agent
    name: Refund agent
    owners: ["role:product-ops-lead"]
    channel: ai-ops
    tags: [refund-agent, refund-agent-b]
"""


@pytest.fixture
def clock() -> Iterator[Any]:
    """Wall time frozen at Tuesday 1 December 2026, 06:30 UTC, and ticking from there."""
    with freeze_time(T0, tick=True) as frozen:
        yield frozen


@pytest.fixture
def people(slack: Any) -> SimpleNamespace:
    return SimpleNamespace(alice=slack.person("alice"), bob=slack.person("bob"))


@pytest.fixture
def xbot(slack: Any, database_url: str, clock: Any, people: SimpleNamespace) -> Iterator[LiveBot]:
    """opsbot with the refund-agent surface and the weekly review; delivery runs, the scheduler
    does not (tests run the daily look themselves)."""
    config = parse_config(CONFIG.format(alice=people.alice.id, bob=people.bob.id))
    live = LiveBot(slack, database_url, config=config, start_workers=False)
    live.start()
    assert live.bot is not None
    live.bot.delivery.start()
    yield live
    live.stop()


@pytest.fixture
def token(xbot: LiveBot) -> str:
    return make_token(xbot, "experiments", "ingest", "read")


def design(**changes: Any) -> dict[str, Any]:
    """A registration body: prompt-v13 against prompt-v12 on success rate, escalations guarded."""
    body: dict[str, Any] = {
        "surface": "refund-agent",
        "hypothesis": "The shorter refund prompt raises the success rate without more escalations.",
        "control": "prompt-v12",
        "treatment": "prompt-v13",
        "primary_metric": "success_rate",
        "min_effect": 0.02,
        "guardrails": [{"metric": "escalation_rate", "tolerance": 0.02}],
        "min_days": 7,
        "min_sample": 1000,
    }
    body.update(changes)
    return body


def register(bot: LiveBot, token: str, **changes: Any) -> httpx.Response:
    return post(bot, "experiments", design(**changes), token)


def experiment(bot: LiveBot, token: str, key: str) -> dict[str, Any]:
    response = httpx.get(
        f"{bot.url}/api/v1/experiments/{key}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def day_of_outcomes(
    day: int,
    *,
    version: str,
    n: int,
    successes: float,
    escalated: float = 0.05,
    cost: float = 0.02,
    tag: str = "refund-agent",
) -> list[dict[str, Any]]:
    """``n`` outcomes of one arm on day ``day`` after T0, with exactly the given shares: the
    successes are autonomous, the escalations and the rest failed."""
    wins, escalations = round(n * successes), round(n * escalated)
    start = T0 + day * DAY
    records = []
    for i in range(n):
        if i < wins:
            outcome, success = "autonomous", True
        elif i < wins + escalations:
            outcome, success = "escalated", False
        else:
            outcome, success = "failed", False
        at = start + timedelta(seconds=(i * 80_000) // n)
        records.append(
            {
                "at": at.isoformat(),
                "tag": tag,
                "version": version,
                "outcome": outcome,
                "cost": cost,
                "success": success,
            }
        )
    return records


def ingest(bot: LiveBot, token: str, records: list[dict[str, Any]]) -> None:
    for start in range(0, len(records), 10_000):
        response = post(bot, "outcomes", {"records": records[start : start + 10_000]}, token)
        assert response.status_code == 201, response.text


def simulate(
    bot: Any,
    token: str,
    *,
    days: int,
    control: dict[str, float],
    treatment: dict[str, float],
    per_day: tuple[int, int] = (500, 500),
) -> None:
    records: list[dict[str, Any]] = []
    for day in range(days):
        records += day_of_outcomes(day, version="prompt-v12", n=per_day[0], **control)
        records += day_of_outcomes(day, version="prompt-v13", n=per_day[1], **treatment)
    ingest(bot, token, records)


def card(slack: Any, key: str) -> Any:
    """The experiment's card in #ai-ops, once delivery posted it (waits for it)."""

    def posted() -> Any:
        found = [
            m
            for m in slack.messages("ai-ops")
            if m.user is None and not m.is_reply and f"Experiment {key} " in m.text
        ]
        return found[-1] if found else None

    return slack.wait_for(posted, message=f"no card for {key}")


def thread(slack: Any, key: str) -> list[Any]:
    """The replies in the card's thread so far."""
    message = card(slack, key)
    return [m for m in slack.replies("ai-ops", message.ts) if m.ts != message.ts]


def at_once(actions: list[Callable[[], Any]], timeout: float = 30.0) -> list[Any]:
    """Run each action in its own thread, all released together by a barrier; their results
    in order. (The actions sit a few calls below the thread's start: freezegun gives real time
    to calls made within five frames of ``threading``, and signed requests need the frozen
    clock the bot reads.)"""
    barrier = threading.Barrier(len(actions))
    results: list[Any] = [None] * len(actions)

    def go(i: int) -> None:
        barrier.wait()
        results[i] = actions[i]()

    threads = [threading.Thread(target=go, args=(i,), daemon=True) for i in range(len(actions))]
    for thread_ in threads:
        thread_.start()
    for thread_ in threads:
        thread_.join(timeout)
    assert not any(t.is_alive() for t in threads), "a request sent at once did not come back"
    return results


def flat(blocks: list[dict[str, Any]] | Any) -> str:
    """Every text in a block tree, joined: what a person reads on the message."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("text"), str):
                found.append(node["text"])
            for value in node.values():
                if isinstance(value, (dict, list)):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(blocks)
    return "\n".join(found)
