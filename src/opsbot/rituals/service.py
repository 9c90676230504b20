"""The rituals' use cases in one place: the scheduler's tick and what the slash command lists.

``tick`` is what the scheduler runs (and tests call with an explicit ``now``): post what is
due, close what ended, remind owners, remind decision owners. Each step is its own transaction,
so one ritual's trouble never holds back the others.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from opsbot.config import Config, Ritual
from opsbot.context import Context
from opsbot.rituals import (
    blocks,
    checkins,
    closing,
    decisions,
    occurrences,
    owners,
    skipping,
    store,
)
from opsbot.rituals.store import Occurrence
from opsbot.schedules import next_occurrence
from opsbot.slack.mrkdwn import escape

log = logging.getLogger(__name__)


@dataclass
class TickReport:
    """What one tick did (for logs and tests)."""

    claimed: list[Occurrence] = field(default_factory=list)
    reminders: int = 0
    closed: list[Occurrence] = field(default_factory=list)
    decision_reminders: int = 0


def tick(ctx: Context, now: datetime | None = None) -> TickReport:
    """Everything due at ``now`` (default: the context's clock)."""
    now = now or ctx.clock()
    report = TickReport()
    for ritual in ctx.config.rituals:
        report.claimed += scan_ritual(ctx, ritual, now)
    with ctx.tx() as session:
        report.closed = closing.close_due(session, ctx.config, now)
    with ctx.tx() as session:
        report.reminders = checkins.remind(session, ctx.config, now)
    with ctx.tx() as session:
        report.decision_reminders = decisions.remind(session, ctx.config, now)
    return report


def scan_ritual(ctx: Context, ritual: Ritual, now: datetime | None = None) -> list[Occurrence]:
    """Claim and post one ritual's due occurrences (its own transaction)."""
    with ctx.tx() as session:
        return occurrences.scan(
            session, ctx.config, ritual, now or ctx.clock(), extras=extras_of(ctx)
        )


def extras_of(ctx: Context) -> occurrences.Extras:
    """What other features registered on the Context for ritual occurrences."""
    return occurrences.Extras(ctx.triage_exceptions, ctx.occurrence_posted, ctx.ritual_context)


@dataclass(frozen=True)
class RitualRow:
    """One line of `/ritual list`."""

    ritual: Ritual
    next_at: datetime | None
    owners: str
    open_occurrence: Occurrence | None
    skipped: list[Occurrence]  # skipped ahead of their time, or skipped while still open


def listing(session: Session, config: Config, now: datetime) -> list[RitualRow]:
    """Each ritual with its next time, owners, the occurrence open now and the skipped ones
    that can still be un-skipped."""
    rows = []
    for ritual in config.rituals:
        current = store.open_occurrences(session, ritual_key=ritual.key)
        skipped = store.skipped_ahead(session, ritual_key=ritual.key, after=now)
        recent = store.skipped_while_open(session, ritual_key=ritual.key, now=now)
        rows.append(
            RitualRow(
                ritual,
                next_to_come(session, ritual, now),
                owners.describe(session, config, ritual),
                current[-1] if current else None,
                ([recent] if recent is not None else []) + skipped,
            )
        )
    return rows


def next_to_come(session: Session, ritual: Ritual, now: datetime) -> datetime | None:
    """The next scheduled time after ``now`` that has not been skipped ahead (`/ritual skip`)."""
    after = now
    for _ in range(skipping.LOOK_AHEAD):  # as many as skip_next would skip ahead
        at = next_occurrence(ritual.schedule, after)
        if at is None:
            return None
        claimed = store.occurrence_at(session, ritual_key=ritual.key, at=at)
        if claimed is None or claimed.status != store.SKIPPED:
            return at
        after = at
    return None


def render_listing(rows: list[RitualRow]) -> str:
    """`/ritual list`: each ritual's next time (its zone named once), channel and owners,
    what is open now, and what is skipped, with how to bring it back."""
    lines = ["*Rituals*"]
    for row in rows:
        ritual, zone = row.ritual, blocks.zone_of(row.ritual)
        if row.next_at:
            nxt = blocks.when(row.next_at, zone, year=True) + blocks.zone_words(row.next_at, zone)
        else:
            nxt = "no further dates"
        line = (
            f"• *{escape(ritual.name)}* (`{ritual.key}`): next {nxt} in #{ritual.channel}; "
            f"owners: {row.owners or 'nobody'}"
        )
        if row.open_occurrence is not None:
            line += f"; open now (since {blocks.when(row.open_occurrence.scheduled_at, zone)})"
        for occ in row.skipped:
            by = f" by <@{occ.skipped_by}>" if occ.skipped_by else ""
            why = f": {escape(occ.skip_reason)}" if occ.skip_reason else ""
            line += f"\n    skipped{by}: {blocks.when(occ.scheduled_at, zone)}{why}"
        if row.skipped:
            line += f" (`/ritual unskip {ritual.key}` brings back the first)"
        lines.append(line)
    lines.append(
        "Start one now with `/ritual run &lt;key&gt;`; skip with "
        "`/ritual skip &lt;key&gt; [reason]`, undo with `/ritual unskip &lt;key&gt;`."
    )
    return "\n".join(lines)


def set_owners(
    session: Session, config: Config, *, key: str, user_ids: list[str], by: str, now: datetime
) -> Ritual:
    """`/ritual owners`: new owners from now on, shown at once on any open occurrence."""
    ritual = owners.set_owners(session, config, key=key, user_ids=user_ids, by=by, now=now)
    session.flush()
    resolved = owners.resolved(session, config, ritual)
    for occ in store.open_occurrences(session, ritual_key=key):
        occ.owners = resolved
        session.add(occ)
        occurrences.refresh_message(session, ritual, occ)
    return ritual
