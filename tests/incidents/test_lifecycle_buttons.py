"""The whole lifecycle again, by the declare modal and the control panel's buttons and modals."""

from __future__ import annotations

from typing import Any

from tests.incidents.helpers import (
    incident,
    incident_channel,
    last_ephemeral,
    panel,
    posted,
    wait_panel,
)


def _modal(slack: Any, person: Any) -> dict[str, Any]:
    return slack.wait_for(lambda: slack.open_views(person.id), message="no modal opened")[-1]


def _click_and_submit(
    slack: Any, person: Any, channel: str, label: str, values: dict[str, Any]
) -> Any:
    person.click(label, channel=channel)
    _modal(slack, person)
    response = person.submit(values)
    assert response.status == 200, response.body_text
    return response


def _declare_by_modal(slack: Any, people: dict[str, Any]) -> Any:
    alice = people["alice"]
    alice.command("/incident", "declare", channel="general")
    view = _modal(slack, alice)
    assert view["callback_id"] == "incident.declare"
    alice.submit(
        {
            "title": "Refund agent <!channel> loops",
            "severity": "sev1",
            "description": "Agent retries refunds forever",
            "impact": "yes",
            "surface": "refund agent",
        }
    )
    channel = incident_channel(slack, 1)
    panel(slack, channel.id)
    return channel


def test_declare_modal_declares_with_all_fields(ibot, slack, people) -> None:
    """The declare modal records severity, description, impact and AI surface, and invites the
    sev1 roles."""
    channel = _declare_by_modal(slack, people)
    row = incident(ibot, 1)
    assert (row.severity, row.customer_impact, row.ai_surface) == ("sev1", True, "refund agent")
    assert row.description == "Agent retries refunds forever"
    wanted = {people["alice"].id, people["bob"].id, people["carol"].id}
    slack.wait_for(lambda: wanted <= slack.channel(channel.id).members)
    assert "AI surface*: refund agent" in str(panel(slack, channel.id).blocks)
    assert not slack.open_views(people["alice"].id)


def test_declare_modal_shows_field_errors(ibot, slack, people) -> None:
    """A blank title comes back as an error on the title field, and nothing is declared."""
    alice = people["alice"]
    alice.command("/incident", "declare", channel="general")
    _modal(slack, alice)
    response = alice.submit({"title": "   ", "severity": "sev2"})
    assert response.json["response_action"] == "errors"
    assert "title" in response.json["errors"]
    assert slack.open_views(alice.id)  # the modal stays open for a correction


def test_whole_lifecycle_by_buttons_and_modals(ibot, slack, people) -> None:
    """Contain, customer update (drafted), findings, rule-outs, fix, verify, resolve, close."""
    channel = _declare_by_modal(slack, people)
    alice = people["alice"]
    _click_and_submit(slack, alice, channel.id, "Contain", {"text": "Paused the refund agent"})
    wait_panel(slack, channel.id, "Paused the refund agent")
    alice.click("Customer update", channel=channel.id)
    draft = _modal(slack, alice)["blocks"][1]["element"]["initial_value"]
    assert "is contained" in draft and "refund agent" in draft
    assert alice.submit({}).status == 200  # post the draft as it is
    posted(slack, "customer-comms", "is contained")
    _click_and_submit(
        slack,
        alice,
        channel.id,
        "Add RCA finding",
        {"layer": "model", "text": "Tool-call loop after model upgrade"},
    )
    _click_and_submit(
        slack, alice, channel.id, "Rule out layer", {"layer": "data", "text": "No data change"}
    )
    _click_and_submit(
        slack,
        alice,
        channel.id,
        "Rule out layer",
        {"layer": "workflow", "text": "Workflow unchanged"},
    )
    _click_and_submit(
        slack,
        alice,
        channel.id,
        "Add fix",
        {"text": "Cap tool retries at 3", "test": "eval-retry-cap"},
    )
    wait_panel(slack, channel.id, "eval-retry-cap")
    _click_and_submit(slack, alice, channel.id, "Verify fix", {"fix": "1", "text": "run r-9 ok"})
    wait_panel(slack, channel.id, "✅ verified")
    alice.click("Resolve", channel=channel.id)
    wait_panel(slack, channel.id, "*Status*\\nresolved")
    alice.click("Close", channel=channel.id)
    wait_panel(slack, channel.id, "*Status*\\nclosed")
    assert slack.wait_for(lambda: slack.files(channel.id))
    assert "Close" not in str(panel(slack, channel.id).blocks[-2])


def test_modal_refusals_show_on_the_field(ibot, slack, people) -> None:
    """A bad fix (no test id) and a premature resolve click are refused where they happen."""
    channel = _declare_by_modal(slack, people)
    alice, erin = people["alice"], people["erin"]
    alice.click("Add fix", channel=channel.id)
    _modal(slack, alice)
    response = alice.submit({"text": "Cap retries", "test": "has spaces in it"})
    assert response.json["response_action"] == "errors"
    assert "test" in response.json["errors"]
    alice.close_view()
    alice.click("Resolve", channel=channel.id)
    assert "Cannot resolve yet" in last_ephemeral(slack, alice)
    erin.click("Close", channel=channel.id)
    assert "may close" in last_ephemeral(slack, erin)
    alice.click("Verify fix", channel=channel.id)
    assert "no unverified fix" in last_ephemeral(slack, alice, count=2)
