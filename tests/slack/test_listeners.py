"""Buttons and modals registered through opsbot.slack.listeners never lose their ack: refusals
and failures reach the person, and Slack always gets its 200."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from opsbot.errors import OpsError
from opsbot.slack.commands import INTERNAL_ERROR
from opsbot.slack.listeners import on_action, on_view

MODAL = {
    "type": "modal",
    "callback_id": "test.modal",
    "title": {"type": "plain_text", "text": "Test"},
    "submit": {"type": "plain_text", "text": "Send"},
    "blocks": [
        {
            "type": "input",
            "block_id": "title",
            "label": {"type": "plain_text", "text": "Title"},
            "element": {"type": "plain_text_input", "action_id": "value"},
        }
    ],
}


def _buttons(slack: Any, *labels: str) -> None:
    """A message in #general with one button per label (action id ``test.<label>``)."""
    elements = [
        {
            "type": "button",
            "action_id": f"test.{label.lower()}",
            "value": "1",
            "text": {"type": "plain_text", "text": label},
        }
        for label in labels
    ]
    WebClient(token=slack.bot_token, base_url=slack.api_url).chat_postMessage(
        channel="general", text="buttons", blocks=[{"type": "actions", "elements": elements}]
    )


def _refuse(body: dict[str, Any], client: WebClient, respond: Any) -> None:
    raise OpsError("You may not do that.", hint="Ask the incident lead.")


def _crash(body: dict[str, Any], client: WebClient, respond: Any) -> None:
    raise RuntimeError("a bug")


def test_a_refusing_button_is_acked_and_refused_ephemerally_every_time(bot, slack) -> None:
    """A button whose handler raises OpsError after the ack answers 200 at once, 20 times out
    of 20, and each click gets the refusal visible only to the clicker (stock Bolt loses most
    of these acks and answers 404 after 3 s)."""
    on_action(bot.bot.bolt, "test.refuse", _refuse)
    _buttons(slack, "Refuse")
    alice = slack.person("alice")
    for attempt in range(1, 21):
        response = alice.click("Refuse", channel="general")
        assert response.status == 200, (attempt, response.status)
        slack.wait_for(lambda n=attempt: len(alice.ephemerals("general")) == n)
    texts = {e.text for e in alice.ephemerals("general")}
    assert texts == {"You may not do that.\nAsk the incident lead."}
    assert slack.person("bob").ephemerals() == []


def test_a_failing_button_is_logged_and_the_clicker_told(bot, slack, caplog) -> None:
    """A handler that fails unexpectedly is acked with 200, logged with its traceback, and the
    clicker is told that something went wrong on opsbot's side."""
    on_action(bot.bot.bolt, "test.crash", _crash)
    _buttons(slack, "Crash")
    alice = slack.person("alice")
    for _ in range(5):
        assert alice.click("Crash", channel="general").status == 200
    slack.wait_for(lambda: len(alice.ephemerals("general")) == 5)
    assert {e.text for e in alice.ephemerals("general")} == {INTERNAL_ERROR}
    assert any(r.exc_info and "a bug" in str(r.exc_info[1]) for r in caplog.records)


def test_a_failing_submission_keeps_the_modal_open_with_the_reason(bot, slack) -> None:
    """A modal whose submission is refused, or fails, is answered in the ack itself with the
    words on the named field (plain text), and stays open."""
    outcomes = iter([OpsError("Not `now`.", hint="Try &lt;later&gt;."), RuntimeError("bug")])

    def submit(body: dict[str, Any], view: dict[str, Any]) -> None:
        raise next(outcomes)

    on_view(bot.bot.bolt, "test.modal", submit, field="title")
    alice = slack.person("alice")
    client = WebClient(token=slack.bot_token, base_url=slack.api_url)
    client.views_open(trigger_id=slack.issue_trigger("alice"), view=MODAL)
    refused = alice.submit({"Title": "x"})
    assert refused.status == 200
    assert refused.json == {
        "response_action": "errors",
        "errors": {"title": "Not now.\nTry <later>."},
    }
    failed = alice.submit({"Title": "x"})
    assert failed.status == 200 and failed.json["errors"] == {"title": INTERNAL_ERROR}
    assert [v["callback_id"] for v in slack.open_views("alice")] == ["test.modal"]
