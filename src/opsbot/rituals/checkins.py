"""Check-ins: answers to an occurrence's questions, and reminders to owners yet to answer."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from opsbot import outbox
from opsbot.config import Config, Ritual
from opsbot.db import insert_ignore
from opsbot.rituals import blocks, occurrences, owners, store
from opsbot.rituals.model import reminder_due
from opsbot.rituals.store import CheckIn, Occurrence


def check_in(
    session: Session,
    config: Config,
    *,
    occurrence_id: int,
    user_id: str,
    answers: list[dict[str, str]],
    now: datetime,
) -> CheckIn:
    """Store a person's answers (replacing earlier ones), post them in the thread, and show
    them as checked in on the message."""
    occ = occurrences.open_occurrence(session, occurrence_id)
    ritual = config.ritual(occ.ritual_key)
    inserted = insert_ignore(
        session,
        CheckIn,
        {"occurrence_id": occurrence_id, "user_id": user_id, "answers": answers, "at": now},
    )
    checkin = store.checkin(session, occurrence_id=occurrence_id, user_id=user_id)
    assert checkin is not None
    if not inserted:
        checkin.answers, checkin.at = answers, now
        session.add(checkin)
        session.flush()
    text, thread_blocks = blocks.checkin_post(ritual, checkin, again=not inserted)
    outbox.post(
        session,
        channel=occ.channel,
        text=text,
        blocks=thread_blocks,
        thread_key=occurrences.message_key(occ.id),
        kind="ritual.checkin",
    )
    occurrences.refresh_message(session, ritual, occ)
    return checkin


def previous_answers(session: Session, *, occurrence_id: int, user_id: str) -> dict[str, str]:
    """A person's earlier answers by question, to start the modal from."""
    found = store.checkin(session, occurrence_id=occurrence_id, user_id=user_id)
    return {a["question"]: a["answer"] for a in found.answers} if found else {}


def remind(session: Session, config: Config, now: datetime) -> int:
    """Mention owners who have not checked in, at each ``remind_after_minutes`` of an open
    occurrence that fits before it closes (once each, whichever replica gets there first;
    never at or after the close). Returns reminders posted."""
    posted = 0
    for occ in store.open_occurrences(session):
        ritual = owners.ritual_for(config, occ.ritual_key)
        if ritual is None or occ.posted_at is None or occ.closes_at is None:
            continue
        due = reminder_due(occ.posted_at, occ.closes_at, ritual.remind_after_minutes, now)
        claimed = [
            stage
            for stage in due
            if store.claim_reminder(session, key=f"checkin:{occ.id}:{stage}", now=now)
        ]
        if not claimed:
            continue  # after a downtime several stages fall due at once: one reminder is enough
        checked = {c.user_id for c in store.checkins(session, occurrence_id=occ.id or 0)}
        missing = [u for u in owners.resolved(session, config, ritual) if u not in checked]
        if missing:
            outbox.post(
                session,
                channel=occ.channel,
                kind="ritual.reminder",
                text=blocks.checkin_reminder(ritual, occ, missing),
                thread_key=occurrences.message_key(occ.id),
            )
            posted += 1
    return posted


def due_for(session: Session, config: Config, user_id: str) -> list[tuple[Ritual, Occurrence]]:
    """(ritual, occurrence) pairs still waiting for this person's check-in."""
    due = []
    for occ in store.open_occurrences(session):
        ritual = owners.ritual_for(config, occ.ritual_key)
        if ritual is None or user_id not in owners.resolved(session, config, ritual):
            continue
        if store.checkin(session, occurrence_id=occ.id or 0, user_id=user_id) is None:
            due.append((ritual, occ))
    return due
