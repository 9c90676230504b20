"""Ritual test helpers: a frozen (but ticking) clock, people, and opsbot started on a config."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from freezegun import freeze_time

from opsbot.config import parse_config
from opsbot.rituals import service
from opsbot.testing.live import LiveBot

MONDAY_BEFORE_NINE = "2026-03-30 07:30:00"  # UTC; London is on BST since Sunday 29 March
OUTPUT = "Which expected decision is it?"  # the decision modal's choice of expected output
EXCEPTION_OWNERS = "Owner and due date for each exception"  # the triage's expected output

TRIAGE = """
timezone: Europe/London
team: {{product-ops-lead: [{alice}]}}
rituals:
  - key: daily-exception-triage
    name: Daily exception triage
    schedule: {{cron: "0 9 * * mon-fri"}}
    channel: ai-ops
    owners: ["role:product-ops-lead", {bob}]
    window_minutes: 240
    remind_after_minutes: [60, 180]
    grace_minutes: 120
    questions: ["Which exceptions need a decision today?", "Anything blocked?"]
    decision_outputs: ["Owner and due date for each exception"]
"""


@pytest.fixture
def clock() -> Iterator[Any]:
    """Wall time frozen at Monday 30 March 2026, 08:30 in London, and ticking from there."""
    with freeze_time(MONDAY_BEFORE_NINE, tick=True) as frozen:
        yield frozen


@pytest.fixture
def people(slack: Any) -> SimpleNamespace:
    return SimpleNamespace(
        alice=slack.person("alice"), bob=slack.person("bob"), carol=slack.person("carol")
    )


@pytest.fixture
def start_bot(slack: Any, database_url: str, clock: Any) -> Iterator[Callable[..., LiveBot]]:
    """Start opsbot (in this process) with a YAML configuration; stopped after the test."""
    bots: list[LiveBot] = []

    def start(config_text: str, *, scheduler: bool = False, **fields: str) -> LiveBot:
        """Without ``scheduler``, only delivery runs (after one tick, as at a real start): the
        test ticks with service.tick itself."""
        live = LiveBot(
            slack,
            database_url,
            config=parse_config(config_text.format(**fields)),
            start_workers=scheduler,
        )
        live.start()
        if not scheduler:
            live.bot.delivery.start()
            service.tick(live.ctx)  # what the scheduler's catch-up does at start
        bots.append(live)
        return live

    yield start
    for live in bots:
        live.stop()


@pytest.fixture
def triage_bot(start_bot: Callable[..., LiveBot], people: SimpleNamespace) -> LiveBot:
    """opsbot with the daily triage only: alice (product-ops-lead) and bob own it."""
    return start_bot(TRIAGE, alice=people.alice.id, bob=people.bob.id)


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


def bot_messages(slack: Any, channel: str) -> list[Any]:
    """Top-level messages the bot posted (broadcast thread replies left out)."""
    return [m for m in slack.messages(channel) if m.user is None and not m.is_reply]


def click_open(slack: Any, person: Any, label: str, **where: Any) -> dict[str, Any]:
    """Click a button that opens a modal, and wait for the modal (views.open follows the ack)."""
    before = len(slack.open_views(person.name))
    response = person.click(label, **where)
    assert response.status == 200, response.body_text
    return slack.wait_for(
        lambda: slack.open_views(person.name)[before:], message=f"no modal after {label!r}"
    )[-1]
