"""Incidents name their AI surface: a choice of the configured surfaces in the declare modal,
and `/incident surface <key>` in the incident channel."""

from __future__ import annotations

from typing import Any

import pytest

from opsbot.config import parse_config
from opsbot.errors import OpsError
from opsbot.incidents.checks import check_surface
from tests.incidents.helpers import (
    incident,
    incident_channel,
    last_ephemeral,
    panel,
    posted,
    wait_panel,
)
from tests.incidents.helpers import run as do


@pytest.fixture
def config(people: dict[str, Any]) -> Any:
    p = {name: person.id for name, person in people.items()}
    return parse_config(f"""
team:
  product-ops-lead: [{p["bob"]}]
surfaces:
  - {{key: refund-agent, name: Refund agent, owners: ["role:product-ops-lead"]}}
  - {{key: support-copilot, owners: [{p["alice"]}]}}
""")


def test_the_declare_modal_offers_the_configured_surfaces(ibot, slack, people) -> None:
    """With surfaces configured the modal's AI surface is a choice of them (optional), and the
    chosen key is recorded on the incident."""
    alice = people["alice"]
    alice.command("/incident", "declare", channel="general")
    view = slack.wait_for(lambda: slack.open_views(alice.id), message="no modal")[-1]
    field = next(b for b in view["blocks"] if b["block_id"] == "surface")
    assert field["optional"] is True
    assert field["element"]["type"] == "static_select"
    assert [(o["text"]["text"], o["value"]) for o in field["element"]["options"]] == [
        ("Refund agent", "refund-agent"),
        ("Support copilot", "support-copilot"),
    ]
    response = alice.submit(
        {"title": "Refunds loop", "severity": "sev3", "surface": "refund-agent"}
    )
    assert response.status == 200, response.body_text
    channel = incident_channel(slack, 1)
    wait_panel(slack, channel.id, "AI surface*: refund-agent")
    assert incident(ibot, 1).ai_surface == "refund-agent"


def test_check_surface_accepts_only_configured_keys_when_there_are_some() -> None:
    """With surfaces configured only their keys pass; without, any short text does; blank is
    none."""
    assert check_surface(" refund-agent ", ["refund-agent"]) == "refund-agent"
    assert check_surface("", ["refund-agent"]) is None
    with pytest.raises(OpsError, match="There is no surface `refund`"):
        check_surface("refund", ["refund-agent", "support-copilot"])
    assert check_surface("the  refund agent", []) == "the refund agent"
    with pytest.raises(OpsError, match="limit is 200"):
        check_surface("x" * 201, [])


def test_incident_surface_command_names_and_renames_the_surface(ibot, slack, people) -> None:
    """`/incident surface <key>` records the surface on the incident, its timeline and panel;
    an unknown key is refused with the configured keys and changes nothing."""
    alice = people["alice"]
    alice.command("/incident", "declare sev3 Copilot invents policies", channel="general")
    channel = incident_channel(slack, 1)
    panel(slack, channel.id)
    last_ephemeral(slack, alice)  # the declare reply
    do(ibot, slack, alice, "surface support-copilot", channel.name)
    wait_panel(slack, channel.id, "AI surface*: support-copilot")
    posted(slack, channel.id, "named the AI surface: *support-copilot*")
    seen = len(alice.ephemerals())
    alice.command("/incident", "surface refund", channel=channel.name)
    refusal = last_ephemeral(slack, alice, count=seen + 1)
    assert "There is no surface `refund`" in refusal
    assert "`refund-agent`, `support-copilot`" in refusal
    assert incident(ibot, 1).ai_surface == "support-copilot"
    do(ibot, slack, alice, "surface refund-agent", channel.name)
    slack.wait_for(lambda: incident(ibot, 1).ai_surface == "refund-agent")


def test_incident_surface_needs_one_key(ibot, slack, people) -> None:
    """`/incident surface` alone, or with more than a key, says what to type."""
    alice = people["alice"]
    alice.command("/incident", "declare sev3 Copilot invents policies", channel="general")
    channel = incident_channel(slack, 1)
    panel(slack, channel.id)
    last_ephemeral(slack, alice)  # the declare reply
    seen = len(alice.ephemerals())
    alice.command("/incident", "surface", channel=channel.name)
    assert "Which surface?" in last_ephemeral(slack, alice, count=seen + 1)
    alice.command("/incident", "surface refund-agent please", channel=channel.name)
    assert "takes one surface key" in last_ephemeral(slack, alice, count=seen + 2)
    assert incident(ibot, 1).ai_surface is None
