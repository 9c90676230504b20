"""opsbot keeps the names of the people who talk to it, for the documents it writes."""

from __future__ import annotations

from opsbot import people
from opsbot.slack.directory import speaker


def test_speaker_of_a_command_and_of_a_click() -> None:
    """A slash command names its typist by user_name, a click by user.username."""
    assert speaker({"user_id": "U1ALICE", "user_name": "alice"}) == ("U1ALICE", "alice")
    assert speaker({"user": {"id": "U2BOB", "username": "bob", "name": "bob"}}) == ("U2BOB", "bob")
    assert speaker({"event": {"user": "U3"}}) is None


def test_a_person_who_types_a_command_is_named(bot, slack) -> None:
    """After alice types a command, her name can be looked up by her user id."""
    alice = slack.person("alice")
    alice.command("/ops", "team", channel="general")
    slack.wait_for(lambda: alice.ephemerals())
    with bot.ctx.tx() as session:
        assert people.names(session, [alice.id]) == {alice.id: "alice"}
        assert people.display(alice.id, {alice.id: "alice"}) == f"@alice ({alice.id})"
        assert people.display("U9NOBODY", {}) == "U9NOBODY"
