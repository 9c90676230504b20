"""Decisions: recorded from an occurrence, listed, reminded to their owner, marked done."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from opsbot import outbox
from opsbot.config import Config
from opsbot.errors import NotFound, OpsError
from opsbot.rituals import blocks, occurrences, owners, store
from opsbot.rituals.store import DONE, OPEN, Decision

REMIND_AT = time(9, 0)  # local time of the ritual's zone at which decision reminders go out


def zone_for(config: Config, ritual_key: str) -> ZoneInfo:
    ritual = owners.ritual_for(config, ritual_key)
    return blocks.zone_of(ritual) if ritual else ZoneInfo(config.timezone)


def today(config: Config, ritual_key: str, now: datetime) -> date:
    """The date it is now where the ritual meets."""
    return now.astimezone(zone_for(config, ritual_key)).date()


def record_decision(
    session: Session,
    config: Config,
    *,
    occurrence_id: int,
    text: str,
    owner: str,
    due: date,
    by: str,
    now: datetime,
) -> Decision:
    """Store a decision of an open occurrence and announce it in the occurrence's thread."""
    occ = occurrences.open_occurrence(session, occurrence_id)
    ritual = config.ritual(occ.ritual_key)
    if due < today(config, ritual.key, now):
        raise OpsError(f"The due date {blocks.day(due)} has passed; pick today or later.")
    decision = Decision(
        occurrence_id=occ.id,
        ritual_key=occ.ritual_key,
        text=text,
        owner=owner,
        due=due,
        created_by=by,
        created_at=now,
    )
    session.add(decision)
    session.flush()
    outbox.post(
        session,
        channel=occ.channel,
        text=blocks.decision_post(decision),
        thread_key=occurrences.message_key(occ.id),
        kind="ritual.decision",
    )
    occurrences.refresh_message(session, ritual, occ)
    return decision


def record_outside(
    session: Session,
    config: Config,
    *,
    ritual_key: str,
    text: str,
    owner: str,
    due: date,
    by: str,
    now: datetime,
) -> Decision:
    """A decision taken outside a meeting (an experiment's ship-or-not call), filed under the
    ritual that reviews such calls: in its open occurrence's thread when one is open, else on
    its own. Either way it is listed, reminded and shown as overdue like any other."""
    current = store.open_occurrences(session, ritual_key=ritual_key)
    if current:
        return record_decision(
            session, config, occurrence_id=current[-1].id or 0, text=text, owner=owner,
            due=due, by=by, now=now,
        )  # fmt: skip
    if due < today(config, ritual_key, now):
        raise OpsError(f"The due date {blocks.day(due)} has passed; pick today or later.")
    decision = Decision(
        ritual_key=ritual_key,
        text=text,
        owner=owner,
        due=due,
        created_by=by,
        created_at=now,
    )
    session.add(decision)
    session.flush()
    return decision


def mark_done(
    session: Session, config: Config, *, decision_id: int, by: str, now: datetime
) -> Decision:
    """Mark a decision done (anyone may; who did is recorded and said in its thread)."""
    decision = session.get(Decision, decision_id)
    if decision is None:
        raise NotFound("That decision no longer exists.")
    if decision.status == DONE:
        raise OpsError(f"That decision was already marked done by <@{decision.done_by}>.")
    decision.status, decision.done_at, decision.done_by = DONE, now, by
    session.add(decision)
    session.flush()
    occ = store.occurrence(session, occurrence_id=decision.occurrence_id or 0)
    if occ is not None:
        outbox.post(
            session,
            channel=occ.channel,
            text=blocks.decision_done_text(decision),
            thread_key=occurrences.message_key(occ.id),
            kind="ritual.decision_done",
        )
        ritual = owners.ritual_for(config, occ.ritual_key)
        if ritual is not None and occ.status == store.POSTED:
            occurrences.refresh_message(session, ritual, occ)
    return decision


def listed(session: Session, *, scope: str) -> list[Decision]:
    """`/ritual decisions [open|all]`: open ones, or every one, earliest due first."""
    return store.decisions(session, status=OPEN if scope == "open" else None)


def due_for(session: Session, user_id: str) -> list[Decision]:
    """The open decisions a person owns."""
    return store.decisions(session, status=OPEN, owner=user_id)


def remind(session: Session, config: Config, now: datetime) -> int:
    """Remind owners the day before a decision is due and the day after it passed (once each)."""
    sent = 0
    for decision in store.decisions(session, status=OPEN):
        zone = zone_for(config, decision.ritual_key)
        before = datetime.combine(decision.due - timedelta(days=1), REMIND_AT, zone)
        after = datetime.combine(decision.due + timedelta(days=1), REMIND_AT, zone)
        if now >= after:
            stage, overdue = "after", True
        elif now >= before and decision.created_at < before:
            stage, overdue = "before", False
        else:
            continue
        if not store.claim_reminder(session, key=f"decision:{decision.id}:{stage}", now=now):
            continue
        ritual = owners.ritual_for(config, decision.ritual_key)
        name = ritual.name if ritual else decision.ritual_key
        text, dm = blocks.decision_reminder(decision, name, overdue=overdue)
        outbox.post(
            session, channel=decision.owner, text=text, blocks=dm, kind="ritual.decision_reminder"
        )
        sent += 1
    return sent
