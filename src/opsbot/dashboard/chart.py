"""The weekly review's chart: the five metrics over the last weeks, a PNG sent through the outbox.

matplotlib is driven through its object API on the Agg canvas (no pyplot, no global figure
state), so charts can be drawn from any thread.
"""

from __future__ import annotations

import base64
import io
from datetime import datetime
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from sqlmodel import Session

from opsbot import outbox
from opsbot.config import Config
from opsbot.dashboard.weekly import Series, WeeklySeries, weekly_series
from opsbot.seams import RemediationDurations, no_remediation_durations
from opsbot.slack.mrkdwn import escape

PANELS = (  # (attribute, title, y label, as percent)
    ("eval_pass_rate", "Eval pass rate (per suite)", "pass rate", True),
    ("drift", "Confidence drift: PSI of the week against the 4 weeks before", "PSI", False),
    ("override_rate", "Override (solid) and escalation (dashed) rates", "share", True),
    ("cost_to_outcome", "Cost per successful outcome", "cost", False),
    (
        "time_to_remediation_hours",
        "Time to remediation (declared → last fix verified), median",
        "hours",
        False,
    ),
)


def render_png(series: WeeklySeries) -> bytes:
    """The five panels, one line per tag or suite, weeks on the x axis."""
    labels = [start.strftime("%d %b") for start in series.weeks]
    figure = Figure(figsize=(9, 13), dpi=100, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.subplots(len(PANELS), 1, sharex=True)
    for ax, (name, title, ylabel, as_percent) in zip(axes, PANELS, strict=True):
        lines: Series = getattr(series, name)
        _plot(ax, labels, lines, as_percent, style="-")
        if name == "override_rate":
            _plot(ax, labels, series.escalation_rate, as_percent, style="--", legend=False)
        if name == "drift":
            ax.axhline(0.1, color="#d9a400", linewidth=0.8, linestyle=":")
            ax.axhline(0.25, color="#c0392b", linewidth=0.8, linestyle=":")
        ax.set_title(title, fontsize=10, loc="left")
        ax.set_ylabel(ylabel)
        ax.grid(True, alpha=0.3)
        if not lines:
            ax.text(
                0.5,
                0.5,
                "no data in these weeks",
                ha="center",
                va="center",
                transform=ax.transAxes,
                color="gray",
            )
    axes[-1].set_xticks(range(len(labels)), labels)
    axes[-1].set_xlabel("week starting (UTC)")
    figure.suptitle("AI Product Ops: the last weeks", fontsize=12)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _plot(
    ax: Any, labels: list[str], lines: Series, as_percent: bool, *, style: str, legend: bool = True
) -> None:
    for index, (label, values) in enumerate(sorted(lines.items())):
        ys = [float("nan") if v is None else (v * 100 if as_percent else v) for v in values]
        ax.plot(
            range(len(labels)),
            ys,
            style,
            marker="o",
            markersize=3,
            color=f"C{index}",
            label=label if legend else None,
        )
    if lines and legend:
        ax.legend(fontsize=7, loc="upper left")
    if as_percent:
        ax.yaxis.set_major_formatter(lambda value, _: f"{value:.0f}%")


def post_weekly_chart(
    session: Session,
    config: Config,
    channel: str,
    now: datetime,
    *,
    remediation: RemediationDurations = no_remediation_durations,
    thread_key: str | None = None,
) -> outbox.OutboxJob:
    """Queue the chart of the five metrics over the last 8 weeks for upload to ``channel``
    (in the thread of the message posted under ``thread_key``, if given: in the same lane,
    so the upload waits for that message)."""
    series = weekly_series(session, config, now=now, remediation=remediation)
    png = render_png(series)
    day = now.strftime("%Y-%m-%d")
    thread: dict[str, Any] = (
        {"thread_ts": outbox.message_ref(thread_key, "ts")} if thread_key else {}
    )
    return outbox.enqueue(
        session,
        kind="dashboard-chart",
        lane=channel,
        now=now,
        steps=[
            outbox.step(
                "files.upload_v2",
                content_base64=base64.b64encode(png).decode("ascii"),
                filename=f"ai-ops-weekly-{day}.png",
                title=f"AI Product Ops: the five metrics, 8 weeks to {day}",
                channel=channel,
                initial_comment=escape(
                    "The five dashboard metrics over the last 8 weeks. "
                    "Type /ops dashboard for today's states and reasons."
                ),
                **thread,
            )
        ],
    )
