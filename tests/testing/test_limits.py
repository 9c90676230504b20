"""Block Kit, text and view limits, refused with Slack's error codes through a real WebClient."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from slack_sdk import WebClient

from opsbot.testing import FakeSlack

from . import client, error_of, stand_in


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with stand_in() as slack:
        yield slack


@pytest.fixture
def web(slack: FakeSlack) -> WebClient:
    return client(slack)


def section(text: str = "x", **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}, **extra}


def button(text: str = "Go", **extra: Any) -> dict[str, Any]:
    return {"type": "button", "text": {"type": "plain_text", "text": text}, **extra}


def option(text: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": text}, "value": "v"}


TOO_BIG_BLOCKS = {
    "51 blocks": ([section()] * 51, "/blocks"),
    "section text 3001": ([section("x" * 3001)], "/blocks/0/text/text"),
    "header text 151": (
        [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}],
        "/blocks/0/text/text",
    ),
    "button text 76": (
        [{"type": "actions", "elements": [button("b" * 76)]}],
        "/blocks/0/elements/0/text/text",
    ),
    "action_id 256": (
        [{"type": "actions", "elements": [button(action_id="a" * 256)]}],
        "/blocks/0/elements/0/action_id",
    ),
    "block_id 256": ([section(block_id="b" * 256)], "/blocks/0/block_id"),
    "26 actions elements": (
        [{"type": "actions", "elements": [button()] * 26}],
        "/blocks/0/elements",
    ),
    "11 context elements": (
        [{"type": "context", "elements": [{"type": "mrkdwn", "text": "c"}] * 11}],
        "/blocks/0/elements",
    ),
    "11 section fields": (
        [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11}],
        "/blocks/0/fields",
    ),
    "option text 76": (
        [
            section(
                accessory={"type": "static_select", "action_id": "s", "options": [option("o" * 76)]}
            )
        ],
        "/blocks/0/accessory/options/0/text/text",
    ),
    "empty section text": ([section("")], "/blocks/0/text/text"),
    "mrkdwn header": (
        [{"type": "header", "text": {"type": "mrkdwn", "text": "h"}}],
        "/blocks/0/text/type",
    ),
}


@pytest.mark.parametrize("case", list(TOO_BIG_BLOCKS), ids=list(TOO_BIG_BLOCKS))
def test_over_limit_blocks_are_invalid_blocks(web: WebClient, case: str) -> None:
    """Each Block Kit limit breaks a message with invalid_blocks and an [ERROR] pointing at it."""
    blocks, pointer = TOO_BIG_BLOCKS[case]
    body = error_of(lambda: web.chat_postMessage(channel="general", text="t", blocks=blocks))
    assert body["error"] == "invalid_blocks"
    messages = body["response_metadata"]["messages"]
    assert any(m.startswith("[ERROR]") and f"[json-pointer:{pointer}]" in m for m in messages)


def test_blocks_at_their_limits_are_accepted(slack: FakeSlack, web: WebClient) -> None:
    """Exactly 50 blocks, 3000-character sections, 75-character buttons and 25 elements pass."""
    blocks = [section("x" * 3000)] * 48 + [
        {"type": "header", "text": {"type": "plain_text", "text": "h" * 150}},
        {"type": "actions", "elements": [button("b" * 75, action_id=f"a{i}") for i in range(25)]},
    ]
    assert web.chat_postMessage(channel="general", text="t", blocks=blocks)["ok"]
    assert len(slack.messages("general")[0].blocks) == 50


def test_text_over_40000_is_msg_too_long(web: WebClient) -> None:
    """chat.postMessage refuses text above 40,000 characters with msg_too_long."""
    assert web.chat_postMessage(channel="general", text="x" * 40000)["ok"]
    too_long = error_of(lambda: web.chat_postMessage(channel="general", text="x" * 40001))
    assert too_long["error"] == "msg_too_long"


def test_ephemerals_are_held_to_the_same_block_limits(slack: FakeSlack, web: WebClient) -> None:
    """chat.postEphemeral refuses 51 blocks with invalid_blocks too."""
    body = error_of(
        lambda: web.chat_postEphemeral(
            channel="general", user=slack.user_id("alice"), text="t", blocks=[section()] * 51
        )
    )
    assert body["error"] == "invalid_blocks"


def modal(**overrides: Any) -> dict[str, Any]:
    view = {"type": "modal", "title": {"type": "plain_text", "text": "Declare"}, "blocks": []}
    view.update(overrides)
    return view


TOO_BIG_VIEWS = {
    "101 blocks": (modal(blocks=[section()] * 101), "invalid_blocks", "/view/blocks"),
    "title 25": (modal(title={"type": "plain_text", "text": "t" * 25}), "invalid_blocks", "title"),
    "empty title": (modal(title={"type": "plain_text", "text": ""}), "invalid_blocks", "title"),
    "private_metadata 3001": (modal(private_metadata="p" * 3001), "invalid_blocks", "metadata"),
    "callback_id 256": (modal(callback_id="c" * 256), "invalid_blocks", "callback_id"),
    "over 250 kB": (modal(private_metadata="p" * 260_000), "view_too_large", ""),
}


@pytest.mark.parametrize("case", list(TOO_BIG_VIEWS), ids=list(TOO_BIG_VIEWS))
def test_over_limit_modals_are_refused(slack: FakeSlack, web: WebClient, case: str) -> None:
    """views.open refuses each over-limit modal, and the trigger stays unused for a retry."""
    view, error, pointer = TOO_BIG_VIEWS[case]
    trigger = slack.issue_trigger("alice")
    body = error_of(lambda: web.views_open(trigger_id=trigger, view=view))
    assert body["error"] == error
    if pointer:
        assert any(pointer in m for m in body["response_metadata"]["messages"])
    assert web.views_open(trigger_id=trigger, view=modal())["ok"]


def test_home_views_allow_100_blocks_but_not_101(slack: FakeSlack, web: WebClient) -> None:
    """views.publish takes 100 blocks on App Home and refuses 101 with invalid_blocks."""
    alice = slack.user_id("alice")
    home = {"type": "home", "blocks": [section()] * 100}
    assert web.views_publish(user_id=alice, view=home)["ok"]
    home["blocks"] = [section()] * 101
    assert (
        error_of(lambda: web.views_publish(user_id=alice, view=home))["error"] == "invalid_blocks"
    )
    assert len((slack.home_view("alice") or {})["blocks"]) == 100
