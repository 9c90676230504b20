"""`/ops experiment` grammar: typed requests out, and refusals that say what to type."""

from __future__ import annotations

import pytest

from opsbot.errors import OpsError
from opsbot.experiments.commands import Decide, Help, Listing, New, Show, parse
from opsbot.experiments.deciding import Call


def test_each_subcommand_parses() -> None:
    """new, list, show and decide (with a reason of several words) parse; nothing is help."""
    assert parse("") == Help()
    assert parse("help") == Help()
    assert parse("new") == New()
    assert parse("LIST") == Listing()
    assert parse("show refund-agent-1") == Show("refund-agent-1")
    assert parse("decide refund-agent-1 Ship clear win, escalations flat") == Decide(
        "refund-agent-1", Call.SHIP, "clear win, escalations flat"
    )


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("new now", "takes nothing after it"),
        ("show", "Name one experiment"),
        ("decide refund-agent-1", "Say which experiment and the call"),
        ("decide refund-agent-1 maybe soon", "is not a call I know"),
        ("decide refund-agent-1 ship", "Say why"),
        ("launch <!channel>", "There is no"),
    ],
)
def test_refusals_say_what_to_type(text: str, says: str) -> None:
    """Each malformed command is refused with a hint; user text in it is escaped."""
    with pytest.raises(OpsError) as refused:
        parse(text)
    assert says in refused.value.message
    assert refused.value.hint
    assert "<!channel>" not in refused.value.for_slack()
