"""views.*: single-use trigger ids that expire, the modal stack, updates with hashes, App Home."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from freezegun import freeze_time
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


def modal(title: str = "Declare", **extra: Any) -> dict[str, Any]:
    return {"type": "modal", "title": {"type": "plain_text", "text": title}, "blocks": [], **extra}


def test_trigger_id_is_single_use(slack: FakeSlack, web: WebClient) -> None:
    """A trigger opens one modal; using it again is exchanged_trigger_id."""
    trigger = slack.issue_trigger("alice")
    view = web.views_open(trigger_id=trigger, view=modal(callback_id="declare"))["view"]
    assert view["id"].startswith("V") and view["hash"] and view["callback_id"] == "declare"
    assert error_of(lambda: web.views_open(trigger_id=trigger, view=modal()))["error"] == (
        "exchanged_trigger_id"
    )
    assert [v["id"] for v in slack.open_views("alice")] == [view["id"]]


def test_trigger_id_expires(slack: FakeSlack, web: WebClient) -> None:
    """A trigger older than trigger_ttl (Slack: 3 s) is expired_trigger_id."""
    assert slack.trigger_ttl == 3.0
    slack.trigger_ttl = 0.05
    trigger = slack.issue_trigger("alice")
    time.sleep(0.08)
    assert error_of(lambda: web.views_open(trigger_id=trigger, view=modal()))["error"] == (
        "expired_trigger_id"
    )


def test_frozen_test_time_does_not_stop_trigger_expiry(slack: FakeSlack, web: WebClient) -> None:
    """Trigger expiry runs on the real monotonic clock, which freezegun does not freeze."""
    slack.trigger_ttl = 0.05
    with freeze_time("2026-12-01 09:00:00"):
        trigger = slack.issue_trigger("alice")
        time.sleep(0.08)
        body = error_of(lambda: web.views_open(trigger_id=trigger, view=modal()))
    assert body["error"] == "expired_trigger_id"


def test_unknown_trigger_is_invalid(web: WebClient) -> None:
    """A trigger_id Slack never issued is invalid_trigger_id."""
    assert error_of(lambda: web.views_open(trigger_id="1.2.nope", view=modal()))["error"] == (
        "invalid_trigger_id"
    )


def test_push_allows_two_extra_views(slack: FakeSlack, web: WebClient) -> None:
    """views.push stacks at most two views on the root; a third is push_limit_reached."""
    web.views_open(trigger_id=slack.issue_trigger("alice"), view=modal("Root"))
    web.views_push(trigger_id=slack.issue_trigger("alice"), view=modal("Second"))
    web.views_push(trigger_id=slack.issue_trigger("alice"), view=modal("Third"))
    body = error_of(lambda: web.views_push(trigger_id=slack.issue_trigger("alice"), view=modal()))
    assert body["error"] == "push_limit_reached"
    stack = slack.open_views("alice")
    assert [v["title"]["text"] for v in stack] == ["Root", "Second", "Third"]
    assert stack[2]["previous_view_id"] == stack[1]["id"]
    assert stack[2]["root_view_id"] == stack[0]["id"]


def test_update_by_id_or_external_id_and_hash_conflict(slack: FakeSlack, web: WebClient) -> None:
    """views.update finds a view by id or external_id; a stale hash is hash_conflict."""
    opened = web.views_open(
        trigger_id=slack.issue_trigger("alice"), view=modal(external_id="declare-1")
    )["view"]
    step2 = modal("Step 2", external_id="declare-1")
    updated = web.views_update(view_id=opened["id"], hash=opened["hash"], view=step2)
    assert updated["view"]["id"] == opened["id"] and updated["view"]["hash"] != opened["hash"]
    stale = error_of(
        lambda: web.views_update(view_id=opened["id"], hash=opened["hash"], view=modal("Step 3"))
    )
    assert stale["error"] == "hash_conflict"
    web.views_update(external_id="declare-1", view=modal("Step 3", external_id="declare-1"))
    assert slack.open_views("alice")[0]["title"]["text"] == "Step 3"
    assert error_of(lambda: web.views_update(view_id="V404", view=modal()))["error"] == "not_found"


def test_publish_sets_each_users_home(slack: FakeSlack, web: WebClient) -> None:
    """views.publish stores the home tab per user, keeping its view id across publishes."""
    alice = slack.user_id("alice")
    home = {"type": "home", "blocks": [{"type": "divider"}]}
    first = web.views_publish(user_id=alice, view=home)["view"]
    second = web.views_publish(user_id=alice, view={**home, "private_metadata": "v2"})["view"]
    assert first["id"] == second["id"]
    assert (slack.home_view("alice") or {})["private_metadata"] == "v2"
    assert slack.home_view("bob") is None
    assert error_of(lambda: web.views_publish(user_id=alice, view=modal()))["error"] == (
        "invalid_blocks"
    )


def test_views_get_block_and_action_ids(slack: FakeSlack, web: WebClient) -> None:
    """Stored views carry a block_id on every block and an action_id on every input element."""
    view = modal(
        submit={"type": "plain_text", "text": "Go"},
        blocks=[
            {
                "type": "input",
                "label": {"type": "plain_text", "text": "Title"},
                "element": {"type": "plain_text_input"},
            }
        ],
    )
    stored = web.views_open(trigger_id=slack.issue_trigger("alice"), view=view)["view"]
    block = stored["blocks"][0]
    assert block["block_id"] and block["element"]["action_id"]
    assert stored["state"] == {"values": {}}


def test_a_modal_with_inputs_needs_a_submit_button(slack: FakeSlack, web: WebClient) -> None:
    """Slack refuses a modal that has input blocks but no submit button."""
    view = modal(
        blocks=[
            {
                "type": "input",
                "label": {"type": "plain_text", "text": "Title"},
                "element": {"type": "plain_text_input", "action_id": "t"},
            }
        ]
    )
    body = error_of(lambda: web.views_open(trigger_id=slack.issue_trigger("alice"), view=view))
    assert body["error"] == "invalid_blocks"
