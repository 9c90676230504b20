"""conversations.*, users.*, pins.* and reactions.* with Slack's error codes."""

from __future__ import annotations

from collections.abc import Iterator

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


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("", "invalid_name_required"),
        ("x" * 81, "invalid_name_maxlength"),
        ("Inc-1", "invalid_name_specials"),
        ("inc 1", "invalid_name_specials"),
        ("inc#1", "invalid_name_specials"),
        ("café", "invalid_name_specials"),
        ("--_", "invalid_name_punctuation"),
        ("general", "name_taken"),
    ],
)
def test_create_refuses_bad_names(web: WebClient, name: str, error: str) -> None:
    """conversations.create checks names exactly as Slack documents (SLACK_FACTS §5)."""
    assert error_of(lambda: web.conversations_create(name=name))["error"] == error


def test_create_makes_the_bot_a_member(slack: FakeSlack, web: WebClient) -> None:
    """A created channel (80 characters allowed) has the creating bot as its only member."""
    name = "inc-1-" + "a" * 74
    channel = web.conversations_create(name=name, is_private=True)["channel"]
    assert channel["name"] == name and channel["is_private"] and channel["is_member"]
    assert slack.channel(name).members == {slack.bot_user_id}


def test_invite_adds_members_and_refuses_with_slacks_errors(
    slack: FakeSlack, web: WebClient
) -> None:
    """conversations.invite adds comma-separated users, with already_in_channel, cant_invite_self,
    user_not_found, not_in_channel, is_archived and channel_not_found refusals."""
    carol, dave = slack.add_user("carol"), slack.add_user("dave")
    cid = web.conversations_create(name="inc-2")["channel"]["id"]
    web.conversations_invite(channel=cid, users=f"{carol},{dave}")
    assert slack.channel("inc-2").members == {slack.bot_user_id, carol, dave}

    def invite_error(channel: str, users: str) -> str:
        return str(
            error_of(lambda: web.conversations_invite(channel=channel, users=users))["error"]
        )

    assert invite_error(cid, carol) == "already_in_channel"
    assert invite_error(cid, slack.bot_user_id) == "cant_invite_self"
    assert invite_error(cid, "U999999999") == "user_not_found"
    assert invite_error("C999999999", carol) == "channel_not_found"
    outside = slack.add_channel("outside", bot_member=False)
    assert invite_error(outside, carol) == "not_in_channel"
    assert invite_error(cid, ",".join([carol] * 101)) == "too_many_users"
    web.conversations_archive(channel=cid)
    assert invite_error(cid, slack.user_id("alice")) == "is_archived"


def test_join_public_channel(slack: FakeSlack, web: WebClient) -> None:
    """conversations.join makes the bot a member of a public channel."""
    slack.add_channel("lobby", bot_member=False)
    web.conversations_join(channel=slack.channel_id("lobby"))
    assert slack.bot_user_id in slack.channel("lobby").members


def test_set_topic_up_to_250_characters(slack: FakeSlack, web: WebClient) -> None:
    """conversations.setTopic stores up to 250 characters and refuses more with too_long."""
    cid = slack.channel_id("general")
    web.conversations_setTopic(channel=cid, topic="t" * 250)
    assert slack.channel("general").topic == "t" * 250
    assert error_of(lambda: web.conversations_setTopic(channel=cid, topic="t" * 251))["error"] == (
        "too_long"
    )


def test_info_and_list(slack: FakeSlack, web: WebClient) -> None:
    """conversations.info/list describe channels; private ones the bot is not in stay hidden."""
    slack.add_channel("hidden", private=True, bot_member=False)
    info = web.conversations_info(channel=slack.channel_id("general"))["channel"]
    assert (info["name"], info["is_member"], info["is_archived"]) == ("general", True, False)
    names = [
        c["name"]
        for c in web.conversations_list(types="public_channel,private_channel")["channels"]
    ]
    assert names == ["general"]
    hidden = slack.channel_id("hidden")
    assert error_of(lambda: web.conversations_info(channel=hidden))["error"] == "channel_not_found"


def test_archive_then_archive_again(slack: FakeSlack, web: WebClient) -> None:
    """conversations.archive archives once; a second time is already_archived."""
    cid = slack.channel_id("general")
    web.conversations_archive(channel=cid)
    assert slack.channel("general").archived
    assert error_of(lambda: web.conversations_archive(channel=cid))["error"] == "already_archived"


def test_pins(slack: FakeSlack, web: WebClient) -> None:
    """pins.add pins once (already_pinned after), needs the message (message_not_found) and the
    bot in the channel (not_in_channel); pins.list and pins.remove follow."""
    cid = slack.channel_id("general")
    ts = web.chat_postMessage(channel=cid, text="panel")["ts"]
    web.pins_add(channel=cid, timestamp=ts)
    assert slack.channel("general").pins == [ts]
    assert error_of(lambda: web.pins_add(channel=cid, timestamp=ts))["error"] == "already_pinned"
    assert error_of(lambda: web.pins_add(channel=cid, timestamp="1.000001"))["error"] == (
        "message_not_found"
    )
    lobby = slack.add_channel("lobby", bot_member=False)
    assert error_of(lambda: web.pins_add(channel=lobby, timestamp=ts))["error"] == "not_in_channel"
    assert [i["message"]["ts"] for i in web.pins_list(channel=cid)["items"]] == [ts]
    web.pins_remove(channel=cid, timestamp=ts)
    assert slack.channel("general").pins == []


def test_reactions(slack: FakeSlack, web: WebClient) -> None:
    """reactions.add records a reaction once (then already_reacted); reactions.get shows it."""
    cid = slack.channel_id("general")
    ts = web.chat_postMessage(channel=cid, text="x")["ts"]
    web.reactions_add(channel=cid, timestamp=ts, name="eyes")
    assert slack.messages("general")[0].reactions == {"eyes": [slack.bot_user_id]}
    assert error_of(lambda: web.reactions_add(channel=cid, timestamp=ts, name="eyes"))["error"] == (
        "already_reacted"
    )
    got = web.reactions_get(channel=cid, timestamp=ts)["message"]["reactions"]
    assert got == [{"name": "eyes", "users": [slack.bot_user_id], "count": 1}]


def test_users(slack: FakeSlack, web: WebClient) -> None:
    """users.info finds people (user_not_found otherwise); users.list pages through them."""
    alice = slack.add_user("alice")
    slack.add_user("erin", id="U0ERIN0001", real_name="Erin Ops", tz="Europe/London")
    erin = web.users_info(user="U0ERIN0001")["user"]
    assert (erin["real_name"], erin["tz"], erin["is_bot"]) == ("Erin Ops", "Europe/London", False)
    assert web.users_info(user=alice)["user"]["name"] == "alice"
    assert error_of(lambda: web.users_info(user="U404"))["error"] == "user_not_found"
    first = web.users_list(limit=2)
    assert len(first["members"]) == 2 and first["response_metadata"]["next_cursor"]
    rest = web.users_list(limit=10, cursor=first["response_metadata"]["next_cursor"])
    assert len(first["members"]) + len(rest["members"]) == len(slack.ws.users)
