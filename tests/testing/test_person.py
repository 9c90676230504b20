"""A person acting through the stand-in: signed commands, clicks by label, events, response_urls."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier
from slack_sdk.webhook import WebhookClient

from opsbot.testing import FakeSlack

from . import Got, ThrowawayBot, client, error_of, stand_in, throwaway_bot


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


def buttons(*labels: str) -> list[dict[str, object]]:
    elements = [
        {
            "type": "button",
            "text": {"type": "plain_text", "text": label},
            "action_id": f"ritual_{i}",
            "value": f"value-{i}",
        }
        for i, label in enumerate(labels)
    ]
    return [{"type": "actions", "block_id": "checkin", "elements": elements}]


def test_command_is_signed_as_slack_signs(slack: FakeSlack, bot: ThrowawayBot) -> None:
    """A slash command arrives form-encoded with a v0 signature SignatureVerifier accepts."""
    response = slack.person("alice").command(
        "/incident", "declare sev1 Refunds broke", channel="general"
    )
    assert response.status == 200
    [got] = bot.got
    assert got.valid
    assert abs(int(got.headers["x-slack-request-timestamp"]) - time.time()) < 5
    fields = got.payload
    assert fields["command"] == "/incident" and fields["text"] == "declare sev1 Refunds broke"
    assert (fields["user_id"], fields["user_name"]) == (slack.user_id("alice"), "alice")
    assert (fields["channel_id"], fields["channel_name"]) == (
        slack.channel_id("general"),
        "general",
    )
    assert fields["team_id"] == "T0OPSBOT" and fields["api_app_id"]
    assert fields["trigger_id"] and fields["response_url"].startswith(slack.base_url)


def test_sign_matches_slack_sdk(slack: FakeSlack) -> None:
    """slack.sign() gives the headers slack_sdk's SignatureVerifier computes and accepts."""
    headers = slack.sign(b"a=1", timestamp=1_700_000_000)
    expected = SignatureVerifier("s3cret").generate_signature(timestamp="1700000000", body=b"a=1")
    assert headers == {"X-Slack-Signature": expected, "X-Slack-Request-Timestamp": "1700000000"}


def test_forged_requests_go_out_as_given(slack: FakeSlack, bot: ThrowawayBot) -> None:
    """post_to_bot sends bytes and headers untouched, so a forged signature reaches the bot."""
    bot.answer = lambda got: (401 if not got.valid else 200, "")
    headers = {**slack.sign(b"x=1"), "Content-Type": "application/x-www-form-urlencoded"}
    assert slack.post_to_bot(b"x=2", headers)[0] == 401
    assert slack.post_to_bot(b"x=1", headers)[0] == 200


def test_ack_body_shows_to_the_typist_only(slack: FakeSlack, bot: ThrowawayBot) -> None:
    """A command's ack text is an ephemeral for the typist; response_type in_channel posts it."""
    alice = slack.person("alice")
    bot.answer = lambda got: (200, json.dumps({"text": "Usage: /incident declare ..."}))
    alice.command("/incident", "help", channel="general")
    assert [e.text for e in alice.ephemerals("general")] == ["Usage: /incident declare ..."]
    bot.answer = lambda got: (200, json.dumps({"response_type": "in_channel", "text": "Declared"}))
    alice.command("/incident", "declare x", channel="general")
    assert [m.text for m in slack.messages("general")] == ["Declared"]


def test_response_url_posts_ephemeral_or_in_channel(slack: FakeSlack, bot: ThrowawayBot) -> None:
    """Posts to a command's response_url are ephemeral by default, or messages with in_channel."""
    slack.person("alice").command("/ops", "help", channel="general")
    hook = WebhookClient(bot.got[0].payload["response_url"])
    assert hook.send(text="only you").status_code == 200
    assert hook.send(text="everyone", response_type="in_channel").status_code == 200
    assert [e.text for e in slack.ephemerals("alice")] == ["only you"]
    assert [m.text for m in slack.messages("general")] == ["everyone"]
    recorded = slack.calls("response_url")
    assert [(c.args["text"], c.status) for c in recorded] == [("only you", 200), ("everyone", 200)]


def test_command_trigger_opens_a_modal_once(
    slack: FakeSlack, bot: ThrowawayBot, web: WebClient
) -> None:
    """The trigger_id of a command opens one modal within its 3 s, then is exchanged."""
    view = {"type": "modal", "title": {"type": "plain_text", "text": "Declare"}, "blocks": []}
    results = []

    def open_twice(got: Got) -> tuple[int, str]:
        trigger = got.payload["trigger_id"]
        results.append(web.views_open(trigger_id=trigger, view=view)["ok"])
        again = error_of(lambda: web.views_open(trigger_id=trigger, view=view))
        results.append(again["error"])
        return 200, ""

    bot.answer = open_twice
    try:
        slack.person("alice").command("/incident", "declare", channel="general")
    finally:
        bot.answer = lambda got: (200, "")
    assert results == [True, "exchanged_trigger_id"]
    assert len(slack.open_views("alice")) == 1


def test_click_finds_the_button_by_label(
    slack: FakeSlack, bot: ThrowawayBot, web: WebClient
) -> None:
    """click() sends block_actions for the newest message showing the label, with a trigger,
    a response_url, the container and the action's ids, value and text."""
    web.chat_postMessage(channel="general", text="old", blocks=buttons("Check in"))
    ts = web.chat_postMessage(channel="general", text="new", blocks=buttons("Check in", "Skip"))[
        "ts"
    ]
    slack.person("bob").click("Skip", channel="general")
    payload = bot.got[-1].payload
    assert bot.got[-1].valid and payload["type"] == "block_actions"
    assert payload["container"] == {
        "type": "message",
        "message_ts": ts,
        "channel_id": slack.channel_id("general"),
        "is_ephemeral": False,
    }
    action = payload["actions"][0]
    assert (action["action_id"], action["block_id"], action["value"], action["type"]) == (
        "ritual_1",
        "checkin",
        "value-1",
        "button",
    )
    assert action["text"]["text"] == "Skip"
    assert payload["message"]["ts"] == ts and payload["user"]["id"] == slack.user_id("bob")
    assert payload["trigger_id"] and payload["response_url"]


def test_click_replace_original_through_response_url(
    slack: FakeSlack, bot: ThrowawayBot, web: WebClient
) -> None:
    """A click's response_url with replace_original edits the clicked message in place."""
    web.chat_postMessage(channel="general", text="pick", blocks=buttons("Done"))
    slack.person("bob").click("Done", channel="general")
    WebhookClient(bot.got[-1].payload["response_url"]).send(text="done!", replace_original=True)
    [message] = slack.messages("general")
    assert (message.text, message.blocks, message.edits) == ("done!", [], 1)


def test_click_unknown_label_lists_the_labels(
    slack: FakeSlack, bot: ThrowawayBot, web: WebClient
) -> None:
    """A label nobody can see fails with the labels that do exist."""
    web.chat_postMessage(channel="general", text="x", blocks=buttons("Check in", "Skip"))
    with pytest.raises(AssertionError, match=r"'Check in', 'Skip'"):
        slack.person("bob").click("Record decision", channel="general")


def test_click_picks_overflow_and_select_options(
    slack: FakeSlack, bot: ThrowawayBot, web: WebClient
) -> None:
    """Options of an overflow menu or a static select are clicked by their text."""
    options = [
        {"text": {"type": "plain_text", "text": t}, "value": t.lower()} for t in ("Sev1", "Sev2")
    ]
    blocks = [
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": "severity"},
            "accessory": {"type": "static_select", "action_id": "sev", "options": options},
        },
        {
            "type": "actions",
            "elements": [{"type": "overflow", "action_id": "more", "options": options}],
        },
    ]
    web.chat_postMessage(channel="general", text="x", blocks=blocks)
    slack.person("bob").click("Sev2", channel="general")
    action = bot.got[-1].payload["actions"][0]
    assert (action["type"], action["selected_option"]["value"]) == ("static_select", "sev2")


def test_click_in_a_modal_and_in_app_home(
    slack: FakeSlack, bot: ThrowawayBot, web: WebClient
) -> None:
    """in_view clicks the top modal, in_home the App Home; both carry the view, no response_url."""
    alice = slack.person("alice")
    web.views_publish(user_id=alice.id, view={"type": "home", "blocks": buttons("Refresh")})
    modal = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "M"},
        "blocks": buttons("Add fix"),
    }
    web.views_open(trigger_id=slack.issue_trigger("alice"), view=modal)
    alice.click("Add fix", in_view=True)
    alice.click("Refresh", in_home=True)
    in_view, in_home = (g.payload for g in bot.got[-2:])
    assert in_view["container"]["type"] == "view" and in_view["view"]["type"] == "modal"
    assert in_home["view"]["type"] == "home" and "response_url" not in in_home


def test_react_stores_and_sends_reaction_added(
    slack: FakeSlack, bot: ThrowawayBot, web: WebClient
) -> None:
    """react() adds the reaction and delivers reaction_added events with unique event ids."""
    ts = web.chat_postMessage(channel="general", text="important")["ts"]
    alice, bob = slack.person("alice"), slack.person("bob")
    assert alice.react("pushpin", "general", ts).status == 200
    bob.react("pushpin", "general", ts)
    assert slack.messages("general")[0].reactions == {"pushpin": [alice.id, bob.id]}
    envelopes = [g.payload for g in bot.got]
    assert all(g.valid for g in bot.got)
    assert [e["event"]["type"] for e in envelopes] == ["reaction_added", "reaction_added"]
    assert envelopes[0]["event"]["item"] == {
        "type": "message",
        "channel": slack.channel_id("general"),
        "ts": ts,
    }
    assert envelopes[0]["event_id"] != envelopes[1]["event_id"]
    assert envelopes[0]["type"] == "event_callback" and envelopes[0]["team_id"] == "T0OPSBOT"


def test_say_stores_and_sends_message_events_when_subscribed(
    slack: FakeSlack, bot: ThrowawayBot
) -> None:
    """say() stores the message; a message event goes out only with deliver_message_events."""
    alice = slack.person("alice")
    ts = alice.say("general", "hello")
    assert bot.got == []
    slack.deliver_message_events = True
    alice.say("general", "in thread", thread_ts=ts)
    event = bot.got[-1].payload["event"]
    assert (event["type"], event["thread_ts"], event["channel_type"]) == ("message", ts, "channel")
    assert [m.user for m in slack.messages("general")] == [alice.id]
    assert [m.text for m in slack.replies("general", ts)] == ["in thread"]


def test_mentions_send_app_mention(slack: FakeSlack, bot: ThrowawayBot) -> None:
    """A message mentioning the bot sends app_mention."""
    slack.person("alice").say("general", f"<@{slack.bot_user_id}> status?")
    assert bot.got[-1].payload["event"]["type"] == "app_mention"


def test_open_home_sends_app_home_opened(slack: FakeSlack, bot: ThrowawayBot) -> None:
    """open_home() delivers app_home_opened for the home tab."""
    slack.person("alice").open_home()
    event = bot.got[-1].payload["event"]
    assert (event["type"], event["tab"], event["user"]) == (
        "app_home_opened",
        "home",
        slack.user_id("alice"),
    )


def test_event_redelivery_keeps_the_event_id(slack: FakeSlack, bot: ThrowawayBot) -> None:
    """send_event with retry_num adds Slack's retry headers and keeps the given event_id."""
    event = {"type": "app_mention", "user": slack.user_id("alice"), "text": "hi", "ts": "1.000001"}
    slack.send_event(event, event_id="Ev0001")
    slack.send_event(event, event_id="Ev0001", retry_num=1)
    first, retry = bot.got
    assert first.payload["event_id"] == retry.payload["event_id"] == "Ev0001"
    assert "x-slack-retry-num" not in first.headers
    assert (retry.headers["x-slack-retry-num"], retry.headers["x-slack-retry-reason"]) == (
        "1",
        "http_timeout",
    )
    assert [d.kind for d in slack.deliveries()] == ["event", "event"]


def test_click_on_an_ephemeral_and_replace_it(
    slack: FakeSlack, bot: ThrowawayBot, web: WebClient
) -> None:
    """Buttons in a person's ephemerals are clickable; replace_original rewrites that ephemeral
    and delete_original removes it."""
    alice = slack.person("alice")
    web.chat_postEphemeral(channel="general", user=alice.id, text="hint", blocks=buttons("Open"))
    alice.click("Open", channel="general")
    payload = bot.got[-1].payload
    assert payload["container"]["is_ephemeral"] is True
    hook = WebhookClient(payload["response_url"])
    hook.send(text="opened", replace_original=True)
    assert [e.text for e in alice.ephemerals()] == ["opened"]
    hook.send(text="", delete_original=True)
    assert alice.ephemerals() == []


def test_response_url_is_good_for_five_posts(slack: FakeSlack, bot: ThrowawayBot) -> None:
    """A response_url takes five posts, then refuses, as Slack's do."""
    slack.person("alice").command("/ops", "help", channel="general")
    hook = WebhookClient(bot.got[0].payload["response_url"])
    statuses = [hook.send(text=str(i)).status_code for i in range(6)]
    assert statuses == [200] * 5 + [404]
