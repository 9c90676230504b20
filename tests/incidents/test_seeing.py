"""Seeing incidents: `/incident list`, `/incident status`, help, and the App Home section."""

from __future__ import annotations

from typing import Any

from tests.incidents.helpers import incident_channel, last_ephemeral, panel, run


def _declare(slack: Any, person: Any, number: int, text: str) -> Any:
    person.command("/incident", text, channel="general")
    channel = incident_channel(slack, number)
    panel(slack, channel.id)
    return channel


def test_list_shows_open_incidents_worst_first(ibot, slack, people) -> None:
    """`/incident list` lists open incidents by severity with their channels, to the typist."""
    alice = people["alice"]
    mild = _declare(slack, alice, 1, "declare sev3 Mild thing")
    bad = _declare(slack, alice, 2, "declare sev1 Bad thing")
    alice.command("/incident", "list", channel="general")
    text = last_ephemeral(slack, alice, count=3)
    assert text.index("Bad thing") < text.index("Mild thing")
    assert f"<#{bad.id}>" in text and f"<#{mild.id}>" in text


def test_status_and_help(ibot, slack, people) -> None:
    """`/incident status` says what is missing; `/incident help` lists every command."""
    alice = people["alice"]
    channel = _declare(slack, alice, 1, "declare sev2 Status check")
    run(ibot, slack, alice, "status", channel.name)
    text = alice.ephemerals()[-1].text
    assert "Missing before resolve" in text and "No customer update yet" in text
    run(ibot, slack, alice, "help", "general")
    assert "/incident rule-out" in alice.ephemerals()[-1].text


def test_app_home_lists_my_incidents_and_all_open_ones(ibot, slack, people) -> None:
    """App Home shows incidents where I hold a role, then every open one by severity."""
    alice, bob = people["alice"], people["bob"]
    channel = _declare(slack, alice, 1, "declare sev2 Home tab check")
    _declare(slack, alice, 2, "declare sev1 Another one")
    run(ibot, slack, alice, f"role scribe <@{bob.id}|bob>", channel.name)
    bob.open_home()
    view = slack.wait_for(lambda: slack.home_view(bob.id))
    texts = [b["text"]["text"] for b in view["blocks"] if b["type"] == "section"]
    mine = next(t for t in texts if t.startswith("*Where you hold a role*"))
    assert "Home tab check" in mine and "Another one" not in mine
    everything = next(t for t in texts if t.startswith("*Open incidents"))
    assert everything.index("Another one") < everything.index("Home tab check")
