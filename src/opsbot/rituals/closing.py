"""Closing an occurrence: when its window ends, or when an owner presses Close now; the
summary goes in its thread (and to the channel)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from opsbot import outbox
from opsbot.config import Config
from opsbot.errors import NotAllowed
from opsbot.rituals import blocks, occurrences, owners, store
from opsbot.rituals.store import CLOSED, MISSED, POSTED, Occurrence


def close_due(session: Session, config: Config, now: datetime) -> list[Occurrence]:
    """Close occurrences whose window ended: a summary in the thread, or recorded as missed."""
    closed = []
    for due in store.due_to_close(session, now=now):
        occ = store.lock_occurrence(session, occurrence_id=due.id or 0)
        if occ is not None and occ.status == POSTED and _close(session, config, occ, now=now):
            closed.append(occ)
    return closed


def close_now(
    session: Session, config: Config, *, occurrence_id: int, user_id: str, now: datetime
) -> Occurrence:
    """Close now: the owners (and admins) may end an occurrence before its window does."""
    occ = occurrences.open_occurrence(session, occurrence_id)
    ritual = config.ritual(occ.ritual_key)
    allowed = list(dict.fromkeys(owners.resolved(session, config, ritual) + occ.owners))
    admins = list(config.incidents.admins)
    if user_id not in allowed + admins:
        who = blocks.people(allowed) or "nobody yet"
        also = f" and admins ({blocks.people(admins)})" if admins else ""
        raise NotAllowed(
            f"Only the owners of this occurrence ({who}){also} may close it now.",
            hint="It closes by itself at its time; check in or record decisions meanwhile.",
        )
    _close(session, config, occ, now=now, by=user_id)
    return occ


def _close(
    session: Session, config: Config, occ: Occurrence, *, now: datetime, by: str | None = None
) -> bool:
    checkins = store.checkins(session, occurrence_id=occ.id or 0)
    decided = store.decisions(session, occurrence_id=occ.id)
    status = CLOSED if checkins or decided else MISSED
    if not store.transition(session, occ, to=status, closed_at=now, closed_by=by):
        return False  # another replica (or person) closed it
    ritual = owners.ritual_for(config, occ.ritual_key)
    if ritual is None:
        return True  # the configuration no longer has this ritual: close it quietly
    text, summary = blocks.summary(ritual, occ, checkins, decided)
    outbox.post(
        session,
        channel=occ.channel,
        text=text,
        blocks=summary,
        thread_key=occurrences.message_key(occ.id),
        reply_broadcast=True,
        kind="ritual.summary",
    )
    occurrences.refresh_message(session, ritual, occ)
    return True
