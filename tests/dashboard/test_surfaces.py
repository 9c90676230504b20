"""`/ops dashboard` and the App Home tab, through the Slack stand-in."""

from __future__ import annotations

import json
from typing import Any

from tests.telemetry.helpers import ago, make_token, outcomes, post, scores


def feed_drift_and_failing_eval(bot: Any) -> None:
    token = make_token(bot, "ingest")
    post(
        bot,
        "confidence",
        {"records": scores("refund-agent", [0.9] * 150 + [0.8] * 150, days_ago=12)},
        token,
    )
    post(
        bot,
        "confidence",
        {"records": scores("refund-agent", [0.4] * 150 + [0.3] * 150, days_ago=1)},
        token,
    )
    post(
        bot, "outcomes", {"records": outcomes("refund-agent", {"autonomous": 5}, days_ago=1)}, token
    )
    post(
        bot,
        "eval-runs",
        {
            "suite": "refunds",
            "tag": "prompt-v12",
            "run_id": "r-1",
            "at": ago(hours=1),
            "cases": [{"id": "a", "passed": True}, {"id": "b", "passed": False}],
        },
        token,
    )


def test_ops_dashboard_shows_value_trend_state_and_reason(bot: Any, slack: Any) -> None:
    """`/ops dashboard` answers the typist alone with every metric, its state and the reason."""
    feed_drift_and_failing_eval(bot)
    alice = slack.person("alice")
    alice.command("/ops", "dashboard", channel="general")
    [reply] = slack.wait_for(lambda: alice.ephemerals("general"))
    text = json.dumps(reply.blocks, ensure_ascii=False)
    for title in (
        "Eval pass rate",
        "Confidence drift (PSI)",
        "Override rate",
        "Escalation rate",
        "Cost per successful outcome",
        "Time to remediation",
    ):
        assert title in text
    assert "🔴 *act* · `refunds` 50%" in text
    assert "🔴 *act* · `refund-agent` PSI" in text
    assert "PSI" in text and "is over 0.25" in text  # the reason
    assert "*insufficient-data* · `refund-agent` 0%" in text  # 5 decisions are too few
    assert "Only 5 AI decisions" in text
    assert reply.text.startswith("AI Product Ops dashboard: 🔴 2 act")
    assert not slack.messages("general")  # nothing public
    assert len(reply.blocks) <= 50


def test_ops_help_lists_dashboard(bot: Any, slack: Any) -> None:
    """`/ops help` mentions the dashboard subcommand."""
    alice = slack.person("alice")
    alice.command("/ops", "help", channel="general")
    [reply] = slack.wait_for(lambda: alice.ephemerals("general"))
    assert "/ops dashboard" in reply.text


def test_home_tab_shows_the_dashboard_and_the_viewers_items(bot: Any, slack: Any) -> None:
    """Everyone sees the dashboard on App Home; the eval engineer also sees what is theirs."""
    feed_drift_and_failing_eval(bot)
    alice, bob = slack.person("alice"), slack.person("bob")
    alice.command("/ops", f"team set eval-engineer <@{alice.id}|alice>", channel="general")
    slack.wait_for(lambda: slack.messages("general"))
    alice.open_home()
    bob.open_home()
    mine = json.dumps(slack.wait_for(lambda: slack.home_view("alice")), ensure_ascii=False)
    theirs = json.dumps(slack.wait_for(lambda: slack.home_view("bob")), ensure_ascii=False)
    for view in (mine, theirs):
        assert "AI Product Ops dashboard" in view and "Confidence drift (PSI)" in view
    assert "*Eval pass rate* `refunds`: 50% (you hold eval-engineer)" in mine
    assert "You hold no role that owns a metric" in theirs
