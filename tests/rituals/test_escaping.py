"""Ritual refusals are escaped mrkdwn: the configured name and the hint's placeholders alike."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from tests.rituals.conftest import TRIAGE
from tests.slack.markup import markup_problems


def test_run_twice_refusal_escapes_the_name_and_the_hint(
    start_bot: Callable[..., Any], people: SimpleNamespace, slack: Any
) -> None:
    """A second `/ritual run` is refused naming the ritual as text and `<reason>` as text."""
    config = TRIAGE.replace("name: Daily exception triage", 'name: "R&D <!here> triage"')
    start_bot(config, alice=people.alice.id, bob=people.bob.id)
    alice = people.alice
    alice.command("/ritual", "run daily-exception-triage", channel="general")
    slack.wait_for(lambda: slack.messages("ai-ops"), message="the occurrence was not posted")
    before = len(alice.ephemerals())
    alice.command("/ritual", "run daily-exception-triage", channel="general")
    reply = slack.wait_for(
        lambda: len(alice.ephemerals()) > before and alice.ephemerals()[-1].text,
        message="no refusal of the second run",
    )
    assert "R&amp;D &lt;!here&gt; triage is already open" in reply
    assert "&lt;reason&gt;" in reply
    assert markup_problems(reply) == []
