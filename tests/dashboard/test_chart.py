"""The weekly review's chart: a PNG of the five metrics uploaded through the outbox."""

from __future__ import annotations

from typing import Any

from opsbot.dashboard.chart import post_weekly_chart
from tests.telemetry.helpers import ago, make_token, outcomes, post, scores


def test_weekly_chart_is_uploaded_as_png(bot: Any, slack: Any) -> None:
    """post_weekly_chart queues files.upload_v2; the stand-in receives a PNG in the channel."""
    token = make_token(bot, "ingest")
    for week in range(6):
        post(
            bot,
            "confidence",
            {"records": scores("refund-agent", [0.7 + week / 50] * 250, days_ago=7 * week + 2)},
            token,
        )
        post(
            bot,
            "outcomes",
            {
                "records": outcomes(
                    "refund-agent",
                    {"autonomous": 30, "overridden": week + 1},
                    days_ago=7 * week + 2,
                )
            },
            token,
        )
        post(
            bot,
            "eval-runs",
            {
                "suite": "refunds",
                "tag": "p",
                "run_id": f"r-{week}",
                "at": ago(days=7 * week + 1),
                "cases": [{"id": "a", "passed": True}, {"id": "b", "passed": week % 2 == 0}],
            },
            token,
        )
    with bot.ctx.tx() as session:
        post_weekly_chart(session, bot.ctx.config, "ai-ops", bot.ctx.clock())
    [chart] = slack.wait_for(lambda: slack.files("ai-ops"), timeout=15)
    assert chart.content.startswith(b"\x89PNG\r\n\x1a\n") and len(chart.content) > 20_000
    assert chart.filename.startswith("ai-ops-weekly-") and chart.filename.endswith(".png")
    assert "five metrics" in chart.title
    [message] = [m for m in slack.messages("ai-ops") if m.files]
    assert "/ops dashboard" in message.text


def test_chart_with_no_data_still_renders(bot: Any, slack: Any) -> None:
    """An empty database gives a chart with empty panels, not an error."""
    with bot.ctx.tx() as session:
        post_weekly_chart(session, bot.ctx.config, "ai-ops", bot.ctx.clock())
    [chart] = slack.wait_for(lambda: slack.files("ai-ops"), timeout=15)
    assert chart.content.startswith(b"\x89PNG")
