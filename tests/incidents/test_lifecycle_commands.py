"""The whole incident lifecycle driven by `/incident` commands, through the Slack stand-in."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from sqlmodel import Session

from opsbot.incidents import store
from tests.incidents.helpers import (
    incident,
    incident_channel,
    last_ephemeral,
    panel,
    posted,
    wait_panel,
)
from tests.incidents.helpers import run as do


def declare(
    people: dict[str, Any],
    slack: Any,
    text: str = "declare sev2 Refund agent approves over-limit refunds",
) -> Any:
    people["alice"].command("/incident", text, channel="general")
    channel = incident_channel(slack, 1)
    panel(slack, channel.id)
    return channel


def test_declare_by_command_builds_the_channel(ibot, slack, people) -> None:
    """Declaring creates inc-<n>-<slug>, invites declarer and sev2 role holders, sets the topic,
    pins the control panel and announces with a channel link."""
    channel = declare(people, slack)
    assert channel.name == "inc-1-refund-agent-approves-over-limit-refunds"
    wanted = {people["alice"].id, people["bob"].id}
    members = slack.wait_for(
        lambda: wanted <= slack.channel(channel.id).members and slack.channel(channel.id).members
    )
    assert people["carol"].id not in members  # governance partner is invited for sev1 only
    topic = slack.channel(channel.id).topic
    assert topic.startswith("SEV2 · declared · lead <@" + people["alice"].id)
    top = panel(slack, channel.id)
    assert [b["text"]["text"] for b in top.blocks if b["type"] == "header"] == [
        "🟠 Incident 1: Refund agent approves over-limit refunds"
    ]
    announcement = posted(slack, "incidents", "Incident 1 declared")
    assert {"type": "channel", "channel_id": channel.id} in announcement.blocks[1]["elements"][0][
        "elements"
    ]
    assert "Declaring *Incident 1*" in last_ephemeral(slack, people["alice"])


def test_whole_lifecycle_by_commands(ibot, slack, people) -> None:
    """Contain, update, RCA for all layers, fix, verify, resolve and close, each on the panel."""
    channel = declare(people, slack)
    alice, bob = people["alice"], people["bob"]

    def run(who: Any, text: str) -> None:
        do(ibot, slack, who, text, channel.name)

    run(alice, f"role comms <@{bob.id}|bob>")
    wait_panel(slack, channel.id, f"*Comms*\\n<@{bob.id}>")
    run(alice, "contain Disabled auto-approval for refunds over $500")
    wait_panel(slack, channel.id, "Disabled auto-approval")
    slack.wait_for(lambda: slack.channel(channel.id).topic.startswith("SEV2 · contained"))
    run(bob, "update Refunds over $500 are paused while we investigate.")
    posted(slack, "customer-comms", "Refunds over $500 are paused")
    run(alice, "rca model Prompt v12 dropped the refund cap instruction")
    run(alice, "rule-out data Retrieval index unchanged since last week")
    run(alice, "rule-out workflow Escalation path worked as designed")
    run(alice, "fix Restore the cap in prompt v13 test=eval-refund-guard")
    wait_panel(slack, channel.id, "eval-refund-guard")
    run(alice, "note Rolled prompt v13 to 10% of traffic")
    run(alice, "verify 1 eval run r-82 passed 50/50")
    wait_panel(slack, channel.id, "✅ verified")
    run(alice, "resolve")
    wait_panel(slack, channel.id, "*Status*\\nresolved")
    run(alice, "close")
    wait_panel(slack, channel.id, "*Status*\\nclosed")
    files = slack.wait_for(lambda: slack.files(channel.id))
    assert files[0].filename == "incident-1-postmortem.md"
    row = incident(ibot, 1)
    assert row.status == "closed" and row.contained_at and row.first_customer_update_at
    assert row.resolved_at and row.closed_at and row.remediated_at
    assert posted(slack, "incidents", "Incident 1 declared (sev2, closed)")
    assert not slack.channel(channel.id).archived  # archive_on_close is off by default


def test_postmortem_contents(ibot, slack, people) -> None:
    """The uploaded postmortem holds summary, impact, timeline, RCA by layer, fixes with tests
    and evidence, and the three durations; it is stored and exported as JSON."""
    channel = declare(people, slack, "declare sev3 Support copilot cites stale policy")
    alice = people["alice"]
    for text in (
        "contain Switched copilot to the fallback answer set",
        "rca data Policy index missed the 2026-11 update",
        "rule-out model Same model version as last month",
        "rca workflow No freshness check before indexing",
        "fix Reindex nightly with freshness check test=eval-policy-fresh",
        "verify 1 CI run 4411 green",
        "resolve",
        "close",
    ):
        do(ibot, slack, alice, text, channel.name)
    file = slack.wait_for(lambda: slack.files(channel.id))[0]
    text = file.content.decode()
    for needle in (
        "# Postmortem: Incident 1: Support copilot cites stale policy",
        "## Impact",
        "## Timeline",
        "### model",
        "Ruled out",
        "Policy index missed",
        "`eval-policy-fresh`",
        "CI run 4411 green",
        "Time to contain",
        "Time to first customer update",
        "Time to remediation",
        f"@alice ({alice.id})",  # people are named, not left as bare user ids
    ):
        assert needle in text, needle
    assert "- Containment: Switched copilot to the fallback answer set (" in text
    assert "Postmortem of Incident 1" in (file.initial_comment or "")
    posted(slack, channel.id, "closed Incident 1")
    out = subprocess.run(
        [sys.executable, "-m", "opsbot", "export", "incidents"],
        capture_output=True,
        text=True,
        check=True,
        env={"OPSBOT_DATABASE_URL": ibot.database_url, "PATH": ""},
    )
    exported = json.loads(out.stdout)
    assert exported[0]["number"] == 1 and exported[0]["postmortem"] == text
    assert [f["test_id"] for f in exported[0]["fixes"]] == ["eval-policy-fresh"]


def test_severity_change_is_recorded_with_reason_and_pulls_in_roles(ibot, slack, people) -> None:
    """Raising to sev1 records the reason on the timeline, updates topic and panel, and invites
    the roles sev1 needs."""
    channel = declare(people, slack)
    alice, carol = people["alice"], people["carol"]
    do(ibot, slack, alice, "severity sev1 now hitting enterprise customers", channel.name)
    slack.wait_for(lambda: carol.id in slack.channel(channel.id).members)
    slack.wait_for(lambda: slack.channel(channel.id).topic.startswith("SEV1 · declared"))
    wait_panel(slack, channel.id, "*Severity*\\nsev1")
    posted(slack, channel.id, "because now hitting enterprise customers")
    row = incident(ibot, 1)
    assert row.severity == "sev1"
    with Session(ibot.ctx.engine) as session:
        (event,) = [
            e for e in store.timeline(session, incident_id=row.id or 0) if e.kind == "severity"
        ]
    assert event.actor == alice.id and event.data["reason"] == "now hitting enterprise customers"
