"""What a ritual's check-in message shows before anyone speaks: the exceptions it must look at.

The triage lists open incidents, unverified fixes, regressions, metric breaches, overdue
decisions and missed occurrences; the weekly review the week's incidents and their time to
remediation; the retrospective the period's incidents and the decisions done and overdue.

Other features are read through named functions looked up when needed, so a feature that is
absent (or not finished) leaves its section saying there is nothing, never a failed post:
- ``opsbot.incidents.store``: ``open_incidents(session)``, ``unverified_fixes(session)``,
  ``all_incidents(session)`` (objects with number, title, severity, status, channel_id,
  declared_at, remediated_at) and, once it exists, ``regressions(session)``.
- ``EXCEPTION_PROVIDERS``: functions ``(session, now) -> list`` of items (text, or dicts or
  objects with ``text``/``summary`` and optionally ``channel_id`` to link) for the triage, e.g.
  the dashboard's metrics at watch or act; ``regressions(session)`` takes the same items.
"""

from __future__ import annotations

import importlib
import logging
import re
import statistics
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from opsbot.config import Ritual
from opsbot.rituals import store
from opsbot.rituals.schedule import occurrences_between
from opsbot.rituals.store import Decision, Occurrence
from opsbot.slack.mrkdwn import escape, truncate

log = logging.getLogger(__name__)

# "module:function" of each provider of triage exceptions; a missing one is skipped quietly.
EXCEPTION_PROVIDERS: tuple[str, ...] = (
    "opsbot.dashboard.exceptions:metric_breaches",
    "opsbot.incidents.store:regressions",
)
MAX_LINES = 8
_CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{2,}")
Section = dict[str, Any]  # {"title": str, "lines": [mrkdwn], "empty": str}

TRIAGE, REVIEW, RETRO = "triage", "review", "retro"
_KINDS = {
    "daily-exception-triage": TRIAGE,
    "weekly-model-workflow-review": REVIEW,
    "monthly-operating-retro": RETRO,
}


def kind_of(ritual_key: str) -> str | None:
    """Which context a ritual gathers: the defaults by key, others by a word in their key."""
    if ritual_key in _KINDS:
        return _KINDS[ritual_key]
    for word, kind in (("triage", TRIAGE), ("review", REVIEW), ("retro", RETRO)):
        if word in ritual_key.split("-"):
            return kind
    return None


def gather(session: Session, ritual: Ritual, occ: Occurrence, *, now: datetime) -> list[Section]:
    """The context sections for an occurrence being posted now (and marks misses reported)."""
    kind = kind_of(ritual.key)
    zone = ZoneInfo(ritual.schedule.timezone or "UTC")
    if kind == TRIAGE:
        sections = [
            _section(
                "Open incidents",
                [_incident(i) for i in _incidents("open_incidents", session)],
                "No open incidents.",
            ),
            _section(
                "Unverified fixes",
                [_fix(f) for f in _incidents("unverified_fixes", session)],
                "No fixes waiting for verification.",
            ),
            _section(
                "Regressions and metric breaches",
                _exceptions(session, now),
                "No regressions or metric breaches reported.",
            ),
            _section(
                "Overdue decisions",
                [_decision(d) for d in overdue(session, now, zone)],
                "No overdue decisions.",
            ),
        ]
        misses = store.unreported_misses(session)
        for miss in misses:
            miss.reported_in = occ.id
            session.add(miss)
        sections.append(
            _section(
                "Missed ritual occurrences",
                [_miss(m, zone) for m in misses],
                "No missed occurrences.",
            )
        )
        return sections
    if kind in (REVIEW, RETRO):
        start = _previous(ritual, occ.scheduled_at) or now - timedelta(
            days=7 if kind == REVIEW else 30
        )
        incidents = [
            i
            for i in _incidents("all_incidents", session)
            if _between(getattr(i, "declared_at", None), start, now)
        ]
        since = f"since {start.astimezone(zone):%a %d %b}"
        sections = [
            _section(
                f"Incidents {since}", [_incident(i) for i in incidents], f"No incidents {since}."
            )
        ]
        if kind == REVIEW:
            sections.append(
                _section(
                    "Time to remediation",
                    _remediation(incidents),
                    "No incident was remediated in this period.",
                )
            )
        else:
            done = store.decisions_done_between(session, start=start, end=now)
            sections.append(
                _section(
                    f"Decisions done {since}",
                    [_decision(d) for d in done],
                    f"No decisions done {since}.",
                )
            )
            sections.append(
                _section(
                    "Overdue decisions",
                    [_decision(d) for d in overdue(session, now, zone)],
                    "No overdue decisions.",
                )
            )
        return sections
    return []


def _previous(ritual: Ritual, scheduled_at: datetime) -> datetime | None:
    """The ritual's scheduled time before this one (the period a review looks back on)."""
    earlier = occurrences_between(ritual.schedule, scheduled_at - timedelta(days=45), scheduled_at)
    return earlier[-1] if earlier else None


def overdue(session: Session, now: datetime, zone: ZoneInfo) -> list[Decision]:
    """Open decisions whose due date has passed (in the ritual's time zone)."""
    today = now.astimezone(zone).date()
    return [d for d in store.decisions(session, status=store.OPEN) if d.due < today]


def _section(title: str, lines: list[str], empty: str) -> Section:
    shown = lines[:MAX_LINES]
    if len(lines) > MAX_LINES:
        shown.append(f"_…and {len(lines) - MAX_LINES} more_")
    return {"title": title, "lines": shown, "empty": empty}


def _lookup(path: str) -> Callable[..., Any] | None:
    module_name, _, name = path.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    found = getattr(module, name, None)
    return found if callable(found) else None


def _safely(path: str, *args: Any) -> list[Any]:
    """What another feature's query returns, or nothing if it is absent or fails."""
    function = _lookup(path)
    if function is None:
        return []
    session = args[0]
    try:
        with session.begin_nested():  # a failing query must not spoil the occurrence's claim
            return list(function(*args))
    except Exception:  # another feature's query must never stop a ritual's post (logged)
        log.warning("ritual context: %s failed; its section shows nothing", path, exc_info=True)
        return []


def _incidents(name: str, session: Session) -> list[Any]:
    return _safely(f"opsbot.incidents.store:{name}", session)


def _exceptions(session: Session, now: datetime) -> list[str]:
    lines: list[str] = []
    for path in EXCEPTION_PROVIDERS:
        args = (session,) if path.endswith(":regressions") else (session, now)
        lines.extend(_item(item) for item in _safely(path, *args))
    return lines


def _item(item: Any) -> str:
    """Plain text (escaped here), linked to a channel when the item names one (channel_id)."""
    fields = item if isinstance(item, dict) else vars(item) if hasattr(item, "__dict__") else {}
    text = fields.get("text") or fields.get("summary") or str(item)
    line = truncate(escape(str(text)), 300)
    channel = fields.get("channel_id")
    if isinstance(channel, str) and _CHANNEL_ID.fullmatch(channel):
        line += f" in <#{channel}>"
    return line


def _incident(incident: Any) -> str:
    number = getattr(incident, "number", None) or getattr(incident, "id", "?")
    title = truncate(escape(str(getattr(incident, "title", ""))), 150)
    severity = escape(str(getattr(incident, "severity", "")))
    status = escape(str(getattr(incident, "status", "")))
    channel = getattr(incident, "channel_id", None)
    where = f" in <#{channel}>" if channel else ""
    return f"*#{number}* {severity} {title} ({status}){where}"


def _fix(fix: Any) -> str:
    description = truncate(escape(str(getattr(fix, "description", ""))), 150)
    test = escape(str(getattr(fix, "test_id", "")))
    return (
        f"Incident #{getattr(fix, 'incident_id', '?')} fix {getattr(fix, 'number', '?')}: "
        f"{description} (test `{test}`)"
    )


def _decision(decision: Decision) -> str:
    return (
        f"{truncate(escape(decision.text), 200)}: <@{decision.owner}>, due {decision.due:%a %d %b}"
    )


def _miss(occ: Occurrence, zone: ZoneInfo) -> str:
    when = occ.scheduled_at.astimezone(zone)
    why = "nobody checked in" if occ.posted_at else "opsbot was down"
    return f"{escape(occ.ritual_key)} of {when:%a %d %b %H:%M} ({why})"


def _between(value: datetime | None, start: datetime, end: datetime) -> bool:
    return value is not None and start <= value < end


def _remediation(incidents: list[Any]) -> list[str]:
    spans: list[tuple[Any, timedelta]] = []
    for incident in incidents:
        declared = getattr(incident, "declared_at", None)
        remediated = getattr(incident, "remediated_at", None)
        if declared is not None and remediated is not None:
            spans.append((incident, remediated - declared))
    if not spans:
        return []
    median = timedelta(seconds=statistics.median(s.total_seconds() for _, s in spans))
    lines = [f"Median {_duration(median)} over {len(spans)} incident(s)"]
    lines += [f"#{getattr(i, 'number', '?')}: {_duration(span)}" for i, span in spans]
    return lines


def _duration(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return f"{days}d {hours}h"
    return f"{hours}h {minutes}m" if hours else f"{minutes}m"
