"""Long incident texts are cut between whole pieces of markup, never through a mention or date."""

from __future__ import annotations

from typing import Any

from tests.incidents.helpers import incident_channel, last_ephemeral, panel, run
from tests.slack.markup import markup_problems

NOTE = 61  # with these lengths, a cut at 3,900 characters fell inside a date token


def test_a_long_timeline_is_cut_between_entries(ibot: Any, slack: Any, people: Any) -> None:
    """`/incident timeline` longer than a message keeps whole entries and counts the rest."""
    alice = people["alice"]
    alice.command("/incident", "declare sev3 Search results stale", channel="general")
    channel = incident_channel(slack, 1)
    panel(slack, channel.id)
    for number in range(40):
        run(ibot, slack, alice, f"note {number:02d} " + "n" * NOTE, channel.name)
    before = len(alice.ephemerals())
    alice.command("/incident", "timeline", channel=channel.name)
    reply = last_ephemeral(slack, alice, count=before + 1)
    assert len(reply) <= 4000
    assert markup_problems(reply) == []
