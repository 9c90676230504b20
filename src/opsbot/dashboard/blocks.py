"""Pure Block Kit builders for the dashboard: `/ops dashboard`, App Home, alerts, triage lines."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from opsbot.dashboard.layout import KEY_FIELD, METRICS, OWNERS, TITLES
from opsbot.dashboard.states import number, percent
from opsbot.durations import duration
from opsbot.slack import blocks as kit
from opsbot.slack.mrkdwn import code, escape

ICONS = {"act": "🔴", "watch": "🟡", "ok": "🟢", "insufficient-data": "⚪"}
_RANK = {"act": 0, "watch": 1, "insufficient-data": 2, "ok": 3}
MAX_LINES = 6  # entries shown per metric; the rest are counted


def value_text(metric: str, entry: dict[str, Any]) -> str:
    """The entry's number as a person reads it, with its trend against the previous value."""
    value = entry.get("value")
    if metric == "drift":
        if value is None:
            return f"n={entry['n_current']} now, {entry['n_baseline']} before"
        return f"PSI {number(value)} · KS {number(entry['ks'])}"
    if metric == "time_to_remediation":
        if value is None:
            return "no resolved incidents"
        return f"median {duration(value)} · p90 {duration(entry['p90'])} · n={entry['n']}"
    shown = _fmt(metric, value)
    previous = entry.get("previous")
    if previous is None or value is None:
        return shown
    arrow = "↑" if value > previous else "↓" if value < previous else "→"
    return f"{shown} {arrow} from {_fmt(metric, previous)}"


def _fmt(metric: str, value: float | None) -> str:
    if value is None:
        return "undefined" if metric == "cost_to_outcome" else "n/a"
    return number(value) if metric == "cost_to_outcome" else percent(value)


def entry_line(metric: str, key: str, entry: dict[str, Any]) -> str:
    state = entry["state"]
    return (
        f"{ICONS[state]} *{state}* · {code(key)} {value_text(metric, entry)}\n"
        f"      _{escape(entry['reason'])}_"
    )


def metric_section(metric: str, found: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """One section per metric: worst entries first, at most MAX_LINES, the rest counted."""
    if metric == "time_to_remediation":
        found = [(key, entry) for key, entry in found if entry["n"]] or found[:0]
    ordered = sorted(found, key=lambda item: (_RANK[item[1]["state"]], item[0]))
    lines = [entry_line(metric, key, entry) for key, entry in ordered[:MAX_LINES]]
    if len(ordered) > MAX_LINES:
        rest = ordered[MAX_LINES:]
        states = ", ".join(
            f"{sum(e['state'] == s for _, e in rest)} {s}"
            for s in _RANK
            if any(e["state"] == s for _, e in rest)
        )
        lines.append(f"…and {len(rest)} more ({states}); `GET /api/v1/dashboard` has them all.")
    if not lines:
        lines = [
            "⚪ no data yet"
            if metric != "time_to_remediation"
            else "⚪ no incidents resolved in the window yet"
        ]
    return kit.section(kit.lines([f"*{TITLES[metric]}*", *lines], kit.SECTION_TEXT))


def grouped(board: dict[str, Any]) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    return {
        metric: [(str(entry[KEY_FIELD[metric]]), entry) for entry in board.get(metric, [])]
        for metric in METRICS
    }


def summary_counts(board: dict[str, Any]) -> str:
    counts = {state: 0 for state in _RANK}
    for found in grouped(board).values():
        for _, entry in found:
            counts[entry["state"]] += 1
    return " · ".join(
        f"{ICONS[s]} {counts[s]} {s}" for s in ("act", "watch", "ok", "insufficient-data")
    )


def dashboard_blocks(board: dict[str, Any]) -> list[dict[str, Any]]:
    """The compact summary: each metric's entries with value, trend, state and reason."""
    start, end = board["windows"]["current"]
    before = board["windows"]["baseline"][0]
    blocks: list[dict[str, Any]] = [
        kit.header("AI Product Ops dashboard"),
        kit.context(
            f"{summary_counts(board)}\nNow: {start[:10]} to {end[:10]} "
            f"(UTC days); compared with {before[:10]} onwards. "
            f"Generated {board['generated_at'][:16]}Z."
        ),
    ]
    for metric, found in grouped(board).items():
        blocks.append(metric_section(metric, found))
    return blocks


def dashboard_text(board: dict[str, Any]) -> str:
    """The notification text of the summary (what shows where blocks cannot)."""
    return f"AI Product Ops dashboard: {summary_counts(board)}"


def mine_blocks(board: dict[str, Any], roles: Iterable[str]) -> list[dict[str, Any]]:
    """The viewer's own items: act and watch entries of the metrics their team roles own."""
    held = set(roles)
    lines = []
    for metric, found in grouped(board).items():
        if OWNERS[metric] not in held:
            continue
        for key, entry in found:
            if entry["state"] in ("act", "watch"):
                lines.append(
                    f"{ICONS[entry['state']]} *{TITLES[metric]}* {code(key)}: "
                    f"{value_text(metric, entry)} (you hold {OWNERS[metric]})"
                )
    if not held & set(OWNERS.values()):
        text = (
            "*Yours on the dashboard*\nYou hold no role that owns a metric; "
            "`/ops team` shows who does."
        )
    elif not lines:
        text = "*Yours on the dashboard*\nNothing in watch or act for the metrics your roles own."
    else:
        text = kit.lines(["*Yours on the dashboard*", *lines], kit.SECTION_TEXT)
    return [kit.section(text)]


def alert_message(metric: str, key: str, entry: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """The ops-channel post when an entry enters act."""
    text = f"🔴 {TITLES[metric]} for {code(key)} needs action: {value_text(metric, entry)}"
    body = (
        f"{text}\n{escape(entry['reason'])}\nOwner: *{OWNERS[metric]}*. "
        "Type `/ops dashboard` for the whole picture."
    )
    return text, [kit.section(body)]


def breach_line(
    metric: str,
    key: str,
    reason: str,
    *,
    in_act: bool,
    entered_at: datetime | None,
    left_at: datetime | None,
) -> str:
    """One triage line: what is (or was) in act, since when, and why."""
    since = entered_at.strftime("%Y-%m-%d %H:%M UTC") if entered_at else "?"
    title = TITLES.get(metric, metric)
    if in_act:
        return f"🔴 *{title}* {code(key)} in act since {since}: {escape(reason)}"
    until = left_at.strftime("%Y-%m-%d %H:%M UTC") if left_at else "?"
    return f"↩️ *{title}* {code(key)} was in act from {since} until {until}: {escape(reason)}"
