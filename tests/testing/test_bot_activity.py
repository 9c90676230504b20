"""Waiting for the bot: a version number that grows with everything the bot does that a person
may see, and a wait on it that cannot miss a change that already happened."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import pytest
from slack_sdk.webhook import WebhookClient

from opsbot.testing import FakeSlack

from . import ThrowawayBot, client, stand_in, throwaway_bot


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with stand_in() as slack:
        yield slack


@pytest.fixture
def bot(slack: FakeSlack) -> Iterator[ThrowawayBot]:
    with throwaway_bot(slack) as bot:
        yield bot


def test_a_call_made_before_the_wait_ends_the_wait_at_once(slack: FakeSlack) -> None:
    """A Web API call between reading the version and waiting on it counts: the wait returns
    the newer version instead of waiting for a further change."""
    before = slack.bot_version
    client(slack).chat_postMessage(channel="general", text="hello")
    assert slack.wait_for_bot(before, timeout=10) > before


def test_a_waiting_thread_is_woken_by_the_bots_call(slack: FakeSlack) -> None:
    """Someone already waiting is woken by the bot's next Web API call."""
    before = slack.bot_version
    seen: list[int] = []
    waiter = threading.Thread(target=lambda: seen.append(slack.wait_for_bot(before, timeout=30)))
    waiter.start()
    client(slack).chat_postMessage(channel="general", text="hello")
    waiter.join(30)
    assert seen and seen[0] > before


def test_an_ack_with_a_body_counts_and_an_empty_ack_does_not(
    slack: FakeSlack, bot: ThrowawayBot
) -> None:
    """A command's ack that Slack shows (a body) is the bot acting; an empty ack is not."""
    person = slack.person("alice")
    before = slack.bot_version
    person.command("/ops", "status", channel="general")
    assert slack.bot_version == before
    bot.answer = lambda got: (200, json.dumps({"text": "Here is your help."}))
    person.command("/ops", "help", channel="general")
    assert slack.bot_version == before + 1


def test_a_post_to_a_response_url_counts(slack: FakeSlack, bot: ThrowawayBot) -> None:
    """The bot's reply through a command's response_url wakes a waiter like a Web API call."""
    slack.person("alice").command("/ops", "status", channel="general")
    before = slack.bot_version
    url = bot.got[-1].payload["response_url"]
    WebhookClient(url).send(text="Done.", response_type="ephemeral")
    assert slack.wait_for_bot(before, timeout=10) > before


def test_what_a_person_does_is_not_the_bots_activity(slack: FakeSlack, bot: ThrowawayBot) -> None:
    """A person's message and reaction leave the bot's version alone when the bot stays quiet."""
    person = slack.person("alice")
    before = slack.bot_version
    ts = person.say("general", "hello")
    person.react("eyes", "general", ts)
    assert slack.bot_version == before
