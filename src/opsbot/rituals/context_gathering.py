"""What a ritual's check-in message shows before anyone speaks: the exceptions it must look at.

The triage lists open incidents, unverified fixes, regressions, metric breaches, overdue
decisions and missed occurrences; the weekly review the week's incidents and their time to
remediation; the retrospective the period's incidents and the decisions done and overdue.

Incidents come from the ``RitualContextProvider`` functions other features put in
``ctx.ritual_context``; regressions and metric breaches from the ``TriageProvider`` functions
in ``ctx.triage_exceptions``. The caller passes both in.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from opsbot.config import Ritual
from opsbot.rituals import store
from opsbot.rituals.store import Decision, Occurrence
from opsbot.schedules import occurrences_between
from opsbot.seams import RitualContextProvider, RitualPeriod, TriageItem, TriageProvider
from opsbot.slack.mrkdwn import escape, truncate

log = logging.getLogger(__name__)

MAX_LINES = 8
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


def gather(
    session: Session,
    ritual: Ritual,
    occ: Occurrence,
    *,
    now: datetime,
    triage: Sequence[TriageProvider],
    context: Sequence[RitualContextProvider] = (),
) -> list[Section]:
    """The context sections for an occurrence being posted now (and marks misses reported):
    first what ``context`` providers add (``ctx.ritual_context``: incidents), then the ritual's
    own, with the regressions and metric breaches of ``triage`` (``ctx.triage_exceptions``)."""
    kind = kind_of(ritual.key)
    if kind is None:
        return []
    zone = ZoneInfo(ritual.schedule.timezone or "UTC")
    period = RitualPeriod(kind, now)
    if kind != TRIAGE:
        start = _previous(ritual, occ.scheduled_at) or now - timedelta(
            days=7 if kind == REVIEW else 30
        )
        period = RitualPeriod(kind, now, start, f"since {start.astimezone(zone):%a %d %b}")
    sections = [
        _section(found.title, found.lines, found.empty)
        for provider in context
        for found in provider(session, period)
    ]
    if kind == TRIAGE:
        sections += [
            _section(
                "Regressions and metric breaches",
                exceptions(session, now, triage),
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
    elif kind == RETRO:
        since = period.since_text
        done = store.decisions_done_between(session, start=period.since or now, end=now)
        sections += [
            _section(
                f"Decisions done {since}",
                [_decision(d) for d in done],
                f"No decisions done {since}.",
            ),
            _section(
                "Overdue decisions",
                [_decision(d) for d in overdue(session, now, zone)],
                "No overdue decisions.",
            ),
        ]
    return sections


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


def exceptions(session: Session, now: datetime, providers: Sequence[TriageProvider]) -> list[str]:
    """Every provider's items as mrkdwn lines, in the order the providers were registered.

    Each provider runs in a savepoint and a failure is caught here: the triage is claimed and
    posted in one transaction, so a failing provider would otherwise roll the claim back and,
    tick after tick, turn the whole triage into a missed occurrence. Its failure is logged with
    the traceback and shown as a line of the triage instead, never hidden.
    """
    lines: list[str] = []
    for provider in providers:
        try:
            with session.begin_nested():
                items = list(provider(session, now))
        except Exception:  # see the docstring: logged with its traceback, and shown in the triage
            name = getattr(provider, "__qualname__", repr(provider))
            log.exception("triage provider %s failed", name)
            lines.append(UNGATHERED)
            continue
        lines.extend(_item(item) for item in items)
    return lines


UNGATHERED = "⚠️ Some exceptions could not be gathered; opsbot's log says why."


def _item(item: TriageItem) -> str:
    """Plain text (escaped here), linked to its channel when it names one."""
    line = truncate(escape(item.text), 300)
    return f"{line} in <#{escape(item.channel_id)}>" if item.channel_id else line


def _decision(decision: Decision) -> str:
    return (
        f"{truncate(escape(decision.text), 200)}: <@{decision.owner}>, due {decision.due:%a %d %b}"
    )


def _miss(occ: Occurrence, zone: ZoneInfo) -> str:
    when = occ.scheduled_at.astimezone(zone)
    why = "nobody checked in" if occ.posted_at else "opsbot was down"
    return f"{escape(occ.ritual_key)} of {when:%a %d %b %H:%M} ({why})"
