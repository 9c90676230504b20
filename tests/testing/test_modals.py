"""Filling and submitting modals: view.state.values as Slack builds it, and response_action."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from slack_sdk import WebClient

from opsbot.testing import FakeSlack, Person

from . import ThrowawayBot, client, stand_in, throwaway_bot


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with stand_in() as slack:
        yield slack


@pytest.fixture
def bot(slack: FakeSlack) -> Iterator[ThrowawayBot]:
    with throwaway_bot(slack) as bot:
        yield bot


@pytest.fixture
def web(slack: FakeSlack) -> WebClient:
    return client(slack)


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def options(*texts: str) -> list[dict[str, Any]]:
    return [{"text": plain(t), "value": t.lower()} for t in texts]


def field(
    label: str, block_id: str, element: dict[str, Any], optional: bool = False
) -> dict[str, Any]:
    return {"type": "input", "block_id": block_id, "label": plain(label), "optional": optional,
            "element": {"action_id": "value", **element}}  # fmt: skip


def declare_view(**extra: Any) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": "declare",
        "private_metadata": '{"channel": "C1"}',
        "title": plain("Declare an incident"),
        "submit": plain("Declare"),
        "blocks": [
            field("Title", "title", {"type": "plain_text_input", "max_length": 80}),
            field(
                "Severity",
                "severity",
                {"type": "static_select", "options": options("Sev1", "Sev2")},
            ),
            field("Due", "due", {"type": "datepicker"}),
            field("Owner", "owner", {"type": "users_select"}),
            field("People", "people", {"type": "multi_users_select"}, optional=True),
            field(
                "Layers",
                "layers",
                {"type": "multi_static_select", "options": options("Model", "Data")},
            ),
            field(
                "Checks", "checks", {"type": "checkboxes", "options": options("Paged", "Posted")}
            ),
            field("Layer", "layer", {"type": "radio_buttons", "options": options("Model", "Data")}),
            field("Notes", "notes", {"type": "plain_text_input"}, optional=True),
            field("Tag", "tag", {"type": "plain_text_input", "initial_value": "ai"}),
        ],
        **extra,
    }


def open_modal(slack: FakeSlack, web: WebClient, who: str = "alice", **extra: Any) -> Person:
    web.views_open(trigger_id=slack.issue_trigger(who), view=declare_view(**extra))
    return slack.person(who)


FILLED = {
    "Title": "Refunds broke",
    "Severity": "Sev1",
    "Due": "2026-12-01",
    "owner": "bob",
    "Layers": ["Model", "data"],
    "Checks": ["Paged"],
    "Layer": "data",
}


def test_submit_builds_state_values_as_slack_does(
    slack: FakeSlack, bot: ThrowawayBot, web: WebClient
) -> None:
    """submit() sends view_submission whose state.values has Slack's shape for every input type,
    null for unfilled optional inputs and the initial value for untouched prefilled ones."""
    alice = open_modal(slack, web)
    alice.submit(FILLED)
    payload = bot.got[-1].payload
    assert bot.got[-1].valid and payload["type"] == "view_submission"
    view = payload["view"]
    assert (view["callback_id"], view["private_metadata"]) == ("declare", '{"channel": "C1"}')
    assert view["id"] and view["hash"] and payload["trigger_id"]
    values = {block: state["value"] for block, state in view["state"]["values"].items()}
    sev1, sev2 = options("Sev1", "Sev2")
    assert values == {
        "title": {"type": "plain_text_input", "value": "Refunds broke"},
        "severity": {"type": "static_select", "selected_option": sev1},
        "due": {"type": "datepicker", "selected_date": "2026-12-01"},
        "owner": {"type": "users_select", "selected_user": slack.user_id("bob")},
        "people": {"type": "multi_users_select", "selected_users": []},
        "layers": {"type": "multi_static_select", "selected_options": options("Model", "Data")},
        "checks": {"type": "checkboxes", "selected_options": options("Paged")},
        "layer": {"type": "radio_buttons", "selected_option": options("Model", "Data")[1]},
        "notes": {"type": "plain_text_input", "value": None},
        "tag": {"type": "plain_text_input", "value": "ai"},
    }
    assert sev2 not in values.values()
    assert slack.open_views("alice") == []


def test_required_input_left_empty_refuses_to_submit(
    slack: FakeSlack, bot: ThrowawayBot, web: WebClient
) -> None:
    """An empty required input makes submit() fail, as Slack's client would not send it."""
    alice = open_modal(slack, web)
    with pytest.raises(AssertionError, match="'Title'"):
        alice.submit({**FILLED, "Title": ""})
    assert bot.got == []


def test_unknown_labels_and_options_are_caught(
    slack: FakeSlack, bot: ThrowawayBot, web: WebClient
) -> None:
    """A label that is not in the modal, or an option it does not offer, fails loudly."""
    alice = open_modal(slack, web)
    with pytest.raises(AssertionError, match="Titel"):
        alice.submit({**FILLED, "Titel": "typo"})
    with pytest.raises(AssertionError, match="Sev9"):
        alice.submit({**FILLED, "Severity": "Sev9"})
    with pytest.raises(AssertionError, match="at most 80"):
        alice.submit({**FILLED, "Title": "x" * 81})


def test_errors_keep_the_modal_open(slack: FakeSlack, bot: ThrowawayBot, web: WebClient) -> None:
    """response_action errors keeps the view open and hands the errors back."""
    alice = open_modal(slack, web)
    errors = {"response_action": "errors", "errors": {"title": "Too vague"}}
    bot.answer = lambda got: (200, json.dumps(errors))
    response = alice.submit(FILLED)
    assert response.json == errors
    assert len(slack.open_views("alice")) == 1


def test_update_push_and_clear(slack: FakeSlack, bot: ThrowawayBot, web: WebClient) -> None:
    """response_action update replaces the top view, push stacks one, clear closes them all."""
    alice = open_modal(slack, web)
    root_id = slack.open_views("alice")[0]["id"]
    step = {"type": "modal", "title": plain("Step"), "blocks": []}
    bot.answer = lambda got: (200, json.dumps({"response_action": "update", "view": step}))
    alice.submit(FILLED)
    [updated] = slack.open_views("alice")
    assert (updated["id"], updated["title"]["text"]) == (root_id, "Step")
    bot.answer = lambda got: (200, json.dumps({"response_action": "push", "view": step}))
    alice.submit()
    assert len(slack.open_views("alice")) == 2
    bot.answer = lambda got: (200, json.dumps({"response_action": "clear"}))
    alice.submit()
    assert slack.open_views("alice") == []


def test_empty_ack_closes_only_the_top_view(
    slack: FakeSlack, bot: ThrowawayBot, web: WebClient
) -> None:
    """An empty ack closes the submitted (top) view and leaves the one under it."""
    alice = open_modal(slack, web)
    step = {"type": "modal", "title": plain("Step"), "blocks": []}
    web.views_push(trigger_id=slack.issue_trigger("alice"), view=step)
    alice.submit()
    assert [v["title"]["text"] for v in slack.open_views("alice")] == ["Declare an incident"]


def test_close_view_notifies_only_when_asked(
    slack: FakeSlack, bot: ThrowawayBot, web: WebClient
) -> None:
    """close_view() sends view_closed only for a view with notify_on_close."""
    alice = open_modal(slack, web)
    assert alice.close_view() is None
    assert bot.got == []
    open_modal(slack, web, notify_on_close=True)
    response = alice.close_view()
    assert response is not None and bot.got[-1].payload["type"] == "view_closed"
    assert slack.open_views("alice") == []
