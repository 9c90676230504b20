"""Wiring: `/ops dashboard`, the App Home section, the dashboard API route, the act-check
after each ingest and every five minutes, the triage's breaches and the weekly chart."""

from __future__ import annotations

import logging
from typing import Any

from sqlmodel import Session

from opsbot.context import Context
from opsbot.dashboard import alerts, api, blocks, chart, service, triage
from opsbot.seams import PostedOccurrence
from opsbot.slack import blocks as kit
from opsbot.slack.commands import CommandRequest, Reply

log = logging.getLogger(__name__)
ALERT_JOB = "dashboard-alerts"
ALERT_EVERY_SECONDS = 300
HOME_ORDER = 50
WEEKLY_REVIEW = "weekly-model-workflow-review"  # the ritual whose occurrences show the chart


def board_of(ctx: Context, session: Session) -> dict[str, Any]:
    """The dashboard now, with incidents' time to remediation from the Context."""
    return service.dashboard(
        session, ctx.config, now=ctx.clock(), remediation=ctx.remediation_durations
    )


def show_dashboard(ctx: Context, req: CommandRequest) -> Reply:
    """`/ops dashboard`: each metric's value, trend, state and reason, to the typist."""
    with ctx.tx() as session:
        board = board_of(ctx, session)
    return Reply(blocks.dashboard_text(board), blocks=blocks.dashboard_blocks(board))


def home_section(ctx: Context) -> Any:
    def section(session: Session, user_id: str) -> list[dict[str, Any]]:
        from opsbot.team import service as team

        board = board_of(ctx, session)
        roles = team.roles_of(session, ctx.config, user_id)
        return [
            kit.divider(),
            *blocks.mine_blocks(board, roles),
            *blocks.dashboard_blocks(board),
        ]

    return section


def run_alert_check(ctx: Context) -> list[str]:
    """One act-check: post the entries that entered act; returns their keys."""
    return alerts.run_check(ctx.tx, ctx.config, ctx.clock(), ctx.remediation_durations)


def after_ingest(ctx: Context) -> list[str]:
    """The act-check after stored telemetry, as lines for whoever ran the ingest."""
    posted = run_alert_check(ctx)
    if not posted:
        return []
    return [
        f"{len(posted)} metric(s) entered act and were posted to "
        f"#{ctx.config.channels.ops}: {', '.join(posted)}"
    ]


def chart_in_thread(ctx: Context) -> Any:
    """An occurrence hook: the five-metric chart in the thread of the weekly review."""

    def post(session: Session, posted: PostedOccurrence) -> None:
        chart.post_weekly_chart(
            session,
            ctx.config,
            posted.channel,
            posted.now,
            remediation=ctx.remediation_durations,
            thread_key=posted.thread_key,
        )

    return post


def contribute(ctx: Context) -> None:
    """What the dashboard hands the other parts without Slack: the act-check after ingests."""
    ctx.after_ingest.append(lambda: after_ingest(ctx))


def register(app: Any, ctx: Context) -> None:
    contribute(ctx)
    ctx.commands["/ops"].add("dashboard", show_dashboard)
    ctx.home_sections.append((HOME_ORDER, home_section(ctx)))
    ctx.triage_exceptions.append(triage.metric_breaches)
    ctx.occurrence_posted.setdefault(WEEKLY_REVIEW, []).append(chart_in_thread(ctx))
    ctx.api_routes.extend(api.routes(ctx))
    if ctx.scheduler is not None:
        ctx.scheduler.every(ALERT_JOB, ALERT_EVERY_SECONDS, lambda: run_alert_check(ctx))
