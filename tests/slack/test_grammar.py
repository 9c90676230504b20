"""The grammar helpers read mentions as Slack sends them and echo text as the person typed it."""

from __future__ import annotations

import pytest

from opsbot.errors import OpsError
from opsbot.slack.grammar import people, readable


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        ("<@U01ALICE01|alice> <@U02BOB0001|Bob Lee>", "@alice @Bob Lee"),
        ("<@U01ALICE01>", "@U01ALICE01"),
        ("<#C0123ABCD|ai-ops>", "#ai-ops"),
        ("<!here> <!channel> <!subteam^S1|@evals>", "@here @channel @evals"),
        ("<https://example.com|the docs> <mailto:a@b.c>", "the docs mailto:a@b.c"),
        ("plain & text", "plain & text"),
    ],
)
def test_readable_reads_slacks_escapes_back_as_typed(sent: str, shown: str) -> None:
    """Every escape Slack puts in command text reads back as what the person typed."""
    assert readable(sent) == shown


def test_people_reads_several_mentions_each_once() -> None:
    """Several mentions (labels with spaces included) give their ids in order, each once."""
    assert people("<@U1AA|a> <@U2BB|Bo Lee>  <@U1AA|a>", example="x") == ("U1AA", "U2BB")


def test_people_refuses_the_first_word_that_is_not_a_mention_as_typed() -> None:
    """A word that is not a mention is named as typed, never in escape syntax."""
    with pytest.raises(OpsError) as refused:
        people("<@U1AA|alice> <#C1AB|ops>", example="/ops team add eval-engineer @name")
    assert refused.value.message == "`#ops` is not a mention of a person."
    with pytest.raises(OpsError) as empty:
        people("  ", example="/ops team add eval-engineer @name")
    assert empty.value.message == "Name at least one person."
