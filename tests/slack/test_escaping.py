"""User text that a reply echoes back is escaped, so nobody can ping a channel or fake a link."""

from __future__ import annotations

from typing import Any

from tests.slack.markup import markup_problems


def _reply(slack: Any, person: Any, command: str, text: str) -> str:
    before = len(person.ephemerals())
    person.command(command, text, channel="general")
    found = slack.wait_for(
        lambda: len(person.ephemerals()) > before and person.ephemerals(),
        message=f"no reply to {command} {text}",
    )
    return str(found[-1].text)


def test_an_unknown_ops_subcommand_is_echoed_escaped(bot: Any, slack: Any) -> None:
    """`/ops <!channel>` is refused with the word shown as text, not as a channel ping."""
    alice = slack.person("alice")
    reply = _reply(slack, alice, "/ops", "<!channel> & <https://evil.example|bank>")
    assert "&lt;!channel&gt;" in reply
    assert markup_problems(reply) == []
