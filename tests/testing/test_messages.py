"""chat.* and conversations.history/replies through a real slack_sdk WebClient."""

from __future__ import annotations

import json
from collections.abc import Iterator

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


def test_auth_test_names_the_bot(slack: FakeSlack, web: WebClient) -> None:
    """auth.test answers the bot's user id, bot id and team, as Bolt's App(token=...) needs."""
    data = web.auth_test().data
    assert isinstance(data, dict)
    assert (data["user_id"], data["bot_id"], data["team_id"]) == (
        slack.bot_user_id,
        "B0OPSBOT00",
        "T0OPSBOT",
    )


def test_missing_token_is_not_authed_and_wrong_token_is_invalid_auth(slack: FakeSlack) -> None:
    """No token gives not_authed; a wrong one gives invalid_auth."""
    assert error_of(lambda: WebClient(base_url=slack.api_url).auth_test())["error"] == "not_authed"
    wrong = WebClient(base_url=slack.api_url, token="xoxb-wrong")
    assert error_of(wrong.auth_test)["error"] == "invalid_auth"


def test_token_may_come_as_a_form_parameter(slack: FakeSlack) -> None:
    """The token is read from the ``token`` parameter when there is no Authorization header."""
    response = WebClient(base_url=slack.api_url).api_call(
        "auth.test", params={"token": "xoxb-test"}
    )
    assert response["ok"] is True


def test_unknown_method_answers_404(slack: FakeSlack, web: WebClient) -> None:
    """A method Slack does not have answers 404 with unknown_method."""
    body = error_of(lambda: web.api_call("chat.teleport"))
    assert body["error"] == "unknown_method"
    assert slack.calls("chat.teleport")[0].status == 404


def test_post_message_by_id_name_and_hash_name(slack: FakeSlack, web: WebClient) -> None:
    """chat.postMessage takes a channel id, a name or a #name, and returns channel, ts, message."""
    for ref in (slack.channel_id("general"), "general", "#general"):
        response = web.chat_postMessage(channel=ref, text=f"via {ref}")
        assert response["channel"] == slack.channel_id("general")
        assert response["message"]["text"] == f"via {ref}"
    assert [m.text for m in slack.messages("general")][-1] == "via #general"


def test_public_channel_needs_no_membership_but_private_does(
    slack: FakeSlack, web: WebClient
) -> None:
    """Public channels accept posts without membership (chat:write.public); private ones refuse."""
    slack.add_channel("open", bot_member=False)
    slack.add_channel("secret", private=True, bot_member=False)
    assert web.chat_postMessage(channel="open", text="hi")["ok"]
    assert error_of(lambda: web.chat_postMessage(channel="secret", text="hi"))["error"] == (
        "not_in_channel"
    )
    assert error_of(lambda: web.chat_postMessage(channel="nope", text="hi"))["error"] == (
        "channel_not_found"
    )


def test_archived_channel_refuses_posts(slack: FakeSlack, web: WebClient) -> None:
    """A post to an archived channel is refused with is_archived."""
    web.conversations_archive(channel=slack.channel_id("general"))
    assert error_of(lambda: web.chat_postMessage(channel="general", text="x"))["error"] == (
        "is_archived"
    )


def test_blocks_as_json_text_or_list_and_no_text(slack: FakeSlack, web: WebClient) -> None:
    """Blocks arrive as a JSON string or a list; a post with neither text nor blocks is no_text."""
    block = {"type": "section", "text": {"type": "mrkdwn", "text": "hello"}}
    web.chat_postMessage(channel="general", blocks=json.dumps([block]), text="fallback")
    web.api_call("chat.postMessage", json={"channel": "general", "blocks": [block], "text": "f"})
    assert [m.blocks for m in slack.messages("general")] == [[block], [block]]
    empty = error_of(lambda: web.api_call("chat.postMessage", params={"channel": "general"}))
    assert empty["error"] == "no_text"
    bad = web.api_call
    assert error_of(
        lambda: bad("chat.postMessage", params={"channel": "general", "text": "t", "blocks": "[{"})
    )["error"] == ("invalid_blocks_format")


def test_metadata_is_stored_and_returned_only_with_include_all_metadata(
    slack: FakeSlack, web: WebClient
) -> None:
    """Message metadata (JSON text or object) shows in history only with include_all_metadata."""
    meta = {"event_type": "outbox", "event_payload": {"id": 7}}
    web.chat_postMessage(channel="general", text="a", metadata=meta)
    web.chat_postMessage(channel="general", text="b", metadata=json.dumps(meta))
    plain = web.conversations_history(channel="general")["messages"]
    full = web.conversations_history(channel="general", include_all_metadata=True)["messages"]
    assert all("metadata" not in m for m in plain)
    assert [m["metadata"] for m in full] == [meta, meta]
    assert slack.messages("general")[0].metadata == meta


def test_history_is_newest_first_with_limit_and_window(slack: FakeSlack, web: WebClient) -> None:
    """conversations.history lists newest first, honours limit, oldest and latest (exclusive)."""
    ts = [web.chat_postMessage(channel="general", text=str(i))["ts"] for i in range(5)]
    history = web.conversations_history(channel="general", limit=2)
    assert [m["text"] for m in history["messages"]] == ["4", "3"]
    assert history["has_more"] is True
    window = web.conversations_history(channel="general", oldest=ts[0], latest=ts[3])
    assert [m["text"] for m in window["messages"]] == ["2", "1"]


def test_timestamps_strictly_increase_even_under_frozen_time(slack: FakeSlack) -> None:
    """Message ts are unique and increasing although freezegun stops the wall clock."""
    web = client(slack)
    with freeze_time("2026-12-01 09:00:00"):
        ts = [web.chat_postMessage(channel="general", text="x")["ts"] for _ in range(3)]
    assert ts[0].startswith("1796115600.")
    assert ts == sorted(ts, key=float) and len(set(ts)) == 3
    assert all(len(t.split(".")[1]) == 6 for t in ts)


def test_threads_and_broadcast_replies(slack: FakeSlack, web: WebClient) -> None:
    """Replies join their thread; reply_broadcast also shows the reply in the channel."""
    parent = web.chat_postMessage(channel="general", text="parent")["ts"]
    web.chat_postMessage(channel="general", text="quiet", thread_ts=parent)
    web.chat_postMessage(channel="general", text="loud", thread_ts=parent, reply_broadcast=True)
    assert [m.text for m in slack.messages("general")] == ["parent", "loud"]
    assert [m.text for m in slack.replies("general", parent)] == ["quiet", "loud"]
    replies = web.conversations_replies(channel="general", ts=parent)["messages"]
    assert [m["text"] for m in replies] == ["parent", "quiet", "loud"]
    assert replies[0]["reply_count"] == 2
    bad = error_of(lambda: web.chat_postMessage(channel="general", text="x", thread_ts="1.000001"))
    assert bad["error"] == "invalid_thread_ts"


def test_update_edits_in_place_and_refuses_others_messages(
    slack: FakeSlack, web: WebClient
) -> None:
    """chat.update edits the bot's message; unknown ts is message_not_found; others' messages
    are cant_update_message; text above 4,000 characters is msg_too_long."""
    ts = web.chat_postMessage(channel="general", text="v1")["ts"]
    web.chat_update(channel=slack.channel_id("general"), ts=ts, text="v2")
    message = slack.messages("general")[0]
    assert (message.text, message.edits) == ("v2", 1)
    theirs = slack.person("alice").say("general", "mine")
    cid = slack.channel_id("general")
    assert error_of(lambda: web.chat_update(channel=cid, ts="1.000001", text="x"))["error"] == (
        "message_not_found"
    )
    assert error_of(lambda: web.chat_update(channel=cid, ts=theirs, text="x"))["error"] == (
        "cant_update_message"
    )
    assert error_of(lambda: web.chat_update(channel=cid, ts=ts, text="x" * 4001))["error"] == (
        "msg_too_long"
    )


def test_delete_marks_the_message_deleted(slack: FakeSlack, web: WebClient) -> None:
    """chat.delete hides the message from history and flags it deleted in the stand-in."""
    ts = web.chat_postMessage(channel="general", text="oops")["ts"]
    web.chat_delete(channel=slack.channel_id("general"), ts=ts)
    assert slack.messages("general")[0].deleted is True
    assert slack.messages("general", include_deleted=False) == []
    assert web.conversations_history(channel="general")["messages"] == []


def test_post_ephemeral_needs_the_user_in_the_channel(slack: FakeSlack, web: WebClient) -> None:
    """chat.postEphemeral reaches a member only; a non-member is user_not_in_channel."""
    alice, carol = slack.user_id("alice"), slack.add_user("carol")
    assert web.chat_postEphemeral(channel="general", user=alice, text="psst")["message_ts"]
    assert [e.text for e in slack.ephemerals("alice", "general")] == ["psst"]
    assert error_of(lambda: web.chat_postEphemeral(channel="general", user=carol, text="x"))[
        "error"
    ] == ("user_not_in_channel")


def test_permalink_has_slacks_shape(slack: FakeSlack, web: WebClient) -> None:
    """chat.getPermalink returns .../archives/<channel>/p<ts without the dot>."""
    ts = web.chat_postMessage(channel="general", text="x")["ts"]
    cid = slack.channel_id("general")
    link = web.chat_getPermalink(channel=cid, message_ts=ts)["permalink"]
    assert link == f"https://fake.slack.test/archives/{cid}/p{ts.replace('.', '')}"


def test_posting_to_a_user_id_opens_the_dm(slack: FakeSlack, web: WebClient) -> None:
    """chat.postMessage to a user id lands in that user's DM with the bot."""
    response = web.chat_postMessage(channel=slack.user_id("bob"), text="reminder")
    assert response["channel"].startswith("D")
    assert [m.text for m in slack.messages("bob")] == ["reminder"]
    opened = web.conversations_open(users=slack.user_id("bob"))["channel"]["id"]
    assert opened == response["channel"]


def test_every_call_is_recorded(slack: FakeSlack, web: WebClient) -> None:
    """slack.calls() records method, arguments (no token), status and error of every request."""
    web.chat_postMessage(channel="general", text="x")
    error_of(lambda: web.chat_postMessage(channel="nope", text="x"))
    calls = slack.calls("chat.postMessage")
    assert [(c.args["channel"], c.status, c.error) for c in calls] == [
        ("general", 200, None),
        ("nope", 200, "channel_not_found"),
    ]
    assert "token" not in calls[0].args
