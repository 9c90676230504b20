"""Occurrences: claimed once by their unique key, posted, skipped, closed with a summary.

Every service here runs in the caller's transaction and writes its Slack effects to the outbox.
An occurrence is claimed with INSERT … ON CONFLICT DO NOTHING on (ritual key, scheduled time);
only the claimer posts, so replicas (or a tick racing a restart) never post one twice.

What other features add to a posted occurrence comes in as ``Extras`` (built from the Context):
the triage's exception providers, and hooks run for the ritual's key once it is posted.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session

from opsbot import outbox
from opsbot.config import Config, Ritual
from opsbot.errors import OpsError
from opsbot.rituals import blocks, context_gathering, owners, store
from opsbot.rituals.store import CLOSED, MISSED, POSTED, SKIPPED, Occurrence
from opsbot.schedules import occurrences_between
from opsbot.seams import OccurrenceHook, PostedOccurrence, RitualContextProvider, TriageProvider
from opsbot.slack.mrkdwn import code, escape

log = logging.getLogger(__name__)

LATE_AFTER = timedelta(minutes=2)  # posted later than this after its time: marked "late"
MAX_LOOKBACK = timedelta(days=400)  # how far back a scan looks after a very long downtime


@dataclass(frozen=True)
class Extras:
    """Other features' contributions: ``ctx.triage_exceptions``, ``ctx.occurrence_posted`` and
    ``ctx.ritual_context``."""

    triage: Sequence[TriageProvider] = ()
    on_posted: Mapping[str, Sequence[OccurrenceHook]] = field(default_factory=dict)
    context: Sequence[RitualContextProvider] = ()


def message_key(occurrence_id: int | None) -> str:
    return f"occurrence:{occurrence_id}"


def _base_values(ritual: Ritual, scheduled_at: datetime) -> dict[str, object]:
    return {
        "ritual_key": ritual.key,
        "scheduled_at": scheduled_at,
        "channel": blocks.channel_of(ritual),
        "owners": [],
        "context": [],
        "late": False,
    }


def post_occurrence(
    session: Session,
    config: Config,
    ritual: Ritual,
    *,
    scheduled_at: datetime,
    now: datetime,
    extras: Extras,
    late: bool = False,
    started_by: str | None = None,
) -> Occurrence | None:
    """Claim the occurrence and post its check-in message, then run the hooks registered for
    its ritual (in this transaction, so once per occurrence); None when claimed already."""
    occ = store.claim_occurrence(
        session,
        **{
            **_base_values(ritual, scheduled_at),
            "status": POSTED,
            "posted_at": now,
            "late": late,
            "closes_at": now + timedelta(minutes=ritual.window_minutes),
            "started_by": started_by,
            "owners": owners.resolved(session, config, ritual),
        },
    )
    if occ is None:
        return None
    occ.context = context_gathering.gather(
        session, ritual, occ, now=now, triage=extras.triage, context=extras.context
    )
    session.add(occ)
    session.flush()
    outbox.post(
        session,
        channel=occ.channel,
        text=blocks.occurrence_text(ritual, occ),
        blocks=blocks.occurrence_blocks(ritual, occ, [], []),
        key=message_key(occ.id),
        kind="ritual.occurrence",
    )
    posted = PostedOccurrence(ritual.key, occ.channel, message_key(occ.id), now)
    for hook in extras.on_posted.get(ritual.key, ()):
        hook(session, posted)
    return occ


def refresh_message(session: Session, ritual: Ritual, occ: Occurrence) -> None:
    """Edit the check-in message in place to show who checked in and what is decided."""
    checkins = store.checkins(session, occurrence_id=occ.id or 0)
    decided = store.decisions(session, occurrence_id=occ.id)
    outbox.update_message(
        session,
        key=message_key(occ.id),
        lane=occ.channel,
        text=blocks.occurrence_text(ritual, occ),
        blocks=blocks.occurrence_blocks(ritual, occ, checkins, decided),
    )


def scan(
    session: Session, config: Config, ritual: Ritual, now: datetime, *, extras: Extras
) -> list[Occurrence]:
    """Claim every occurrence due since the last scan: posted (late if need be) within the
    grace period, else recorded as missed. Returns the occurrences this call claimed.

    A ritual never scanned before (first start, or newly configured) starts from ``now``:
    nothing was missed while opsbot was down if it was not running it yet.
    """
    state = store.state(session, key=ritual.key)
    grace = timedelta(minutes=ritual.grace_minutes)
    start = max(state.last_scanned_at or now, now - MAX_LOOKBACK)
    claimed: list[Occurrence] = []
    for at in occurrences_between(ritual.schedule, start, now + timedelta(microseconds=1)):
        lateness = now - at
        if lateness <= grace:
            occ = post_occurrence(
                session,
                config,
                ritual,
                scheduled_at=at,
                now=now,
                extras=extras,
                late=lateness > LATE_AFTER,
            )
        else:
            occ = store.claim_occurrence(session, **{**_base_values(ritual, at), "status": MISSED})
            if occ is not None:
                log.warning("ritual %s of %s was missed while opsbot was down", ritual.key, at)
        if occ is not None:
            claimed.append(occ)
    if state.last_scanned_at is None or state.last_scanned_at < now:
        state.last_scanned_at = now
        session.add(state)
    return claimed


def run_now(
    session: Session, config: Config, *, key: str, user_id: str, now: datetime, extras: Extras
) -> Occurrence:
    """`/ritual run`: an occurrence that starts now, outside the schedule."""
    ritual = config.ritual(key)
    already = store.open_occurrences(session, ritual_key=key)
    if already:
        zone = blocks.zone_of(ritual)
        raise OpsError(
            f"{escape(ritual.name)} is already open "
            f"(since {blocks.when(already[-1].scheduled_at, zone)}) in #{already[-1].channel}.",
            hint="Check in on that message, or skip it first with "
            + code(f"/ritual skip {key} <reason>")
            + ".",
        )
    occ = post_occurrence(
        session,
        config,
        ritual,
        scheduled_at=now.replace(microsecond=0),
        now=now,
        extras=extras,
        started_by=user_id,
    )
    if occ is None:
        raise OpsError(
            f"{escape(ritual.name)} was started a moment ago; look in #{ritual.channel}."
        )
    return occ


def open_occurrence(session: Session, occurrence_id: int) -> Occurrence:
    return _open(session, occurrence_id)


def _open(session: Session, occurrence_id: int) -> Occurrence:
    occ = store.lock_occurrence(session, occurrence_id=occurrence_id)
    if occ is None:
        raise OpsError("That ritual occurrence no longer exists.")
    if occ.status != POSTED:
        raise OpsError(
            f"This occurrence is {_status_words(occ.status)}; it takes no more input.",
            hint="The next occurrence will be posted at its time; `/ritual list` shows when.",
        )
    return occ


def _status_words(status: str) -> str:
    words: dict[str, str] = {CLOSED: "closed", MISSED: "closed (missed)", SKIPPED: "skipped"}
    return words.get(status, status)


def base_values(ritual: Ritual, scheduled_at: datetime) -> dict[str, object]:
    """The columns of an occurrence of ``ritual`` at ``scheduled_at`` before anything happened."""
    return _base_values(ritual, scheduled_at)
