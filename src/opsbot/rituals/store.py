"""Ritual records: runtime state per ritual, occurrences, check-ins, decisions, reminders sent.

The rituals themselves live in the configuration; these tables hold what happened. An
occurrence is unique on (ritual key, scheduled time): whoever inserts it first posts it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Text, UniqueConstraint, update
from sqlmodel import Field, Session, SQLModel, col, select

from opsbot.db import UTCDateTime, insert_ignore
from opsbot.rituals.model import DecisionStatus, OccurrenceStatus

POSTED, CLOSED, MISSED, SKIPPED = (
    OccurrenceStatus.POSTED,
    OccurrenceStatus.CLOSED,
    OccurrenceStatus.MISSED,
    OccurrenceStatus.SKIPPED,
)
OPEN, DONE = DecisionStatus.OPEN, DecisionStatus.DONE


class RitualState(SQLModel, table=True):
    """What changed about a configured ritual at runtime, and how far its schedule was scanned."""

    __tablename__ = "ritual_state"

    key: str = Field(primary_key=True, max_length=80)
    owners: list[str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    owners_set_by: str | None = Field(default=None, max_length=20)
    owners_set_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_scanned_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Occurrence(SQLModel, table=True):
    """One scheduled (or started) meeting of a ritual: posted, then closed, missed or skipped."""

    __tablename__ = "ritual_occurrence"
    __table_args__ = (UniqueConstraint("ritual_key", "scheduled_at", name="uq_ritual_occurrence"),)

    id: int | None = Field(default=None, primary_key=True)
    ritual_key: str = Field(max_length=80, index=True)
    scheduled_at: datetime = Field(sa_type=UTCDateTime)
    status: str = Field(default=POSTED, max_length=20, index=True)
    channel: str = Field(max_length=80)
    posted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    late: bool = False
    closes_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    started_by: str | None = Field(default=None, max_length=20)
    skip_reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    skipped_by: str | None = Field(default=None, max_length=20)
    owners: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    context: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    reported_in: int | None = Field(default=None)  # the triage occurrence that mentioned a miss
    closed_by: str | None = Field(default=None, max_length=20)  # who pressed Close now, if anyone


class CheckIn(SQLModel, table=True):
    """One person's answers to an occurrence's questions (a second check-in replaces them)."""

    __tablename__ = "ritual_checkin"
    __table_args__ = (UniqueConstraint("occurrence_id", "user_id", name="uq_ritual_checkin"),)

    id: int | None = Field(default=None, primary_key=True)
    occurrence_id: int = Field(foreign_key="ritual_occurrence.id", index=True)
    user_id: str = Field(max_length=20)
    answers: list[dict[str, str]] = Field(sa_column=Column(JSON, nullable=False))
    at: datetime = Field(sa_type=UTCDateTime)


class Decision(SQLModel, table=True):
    """A decision output: what was decided, who owns it, by when; open until marked done."""

    __tablename__ = "ritual_decision"

    id: int | None = Field(default=None, primary_key=True)
    occurrence_id: int | None = Field(default=None, foreign_key="ritual_occurrence.id", index=True)
    ritual_key: str = Field(max_length=80, index=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    owner: str = Field(max_length=20, index=True)
    due: date
    status: str = Field(default=OPEN, max_length=10, index=True)
    created_by: str = Field(max_length=20)
    created_at: datetime = Field(sa_type=UTCDateTime)
    done_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    done_by: str | None = Field(default=None, max_length=20)
    # the ritual's expected decision output this one records (None: something else)
    output: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class ReminderSent(SQLModel, table=True):
    """A reminder claimed by key (``checkin:<occurrence>:<stage>``), so each goes out once."""

    __tablename__ = "ritual_reminder"

    key: str = Field(primary_key=True, max_length=120)
    sent_at: datetime = Field(sa_type=UTCDateTime)


# ---- ritual state ------------------------------------------------------------------------------
def state(session: Session, *, key: str) -> RitualState:
    """The ritual's runtime state, created empty on first use."""
    insert_ignore(session, RitualState, {"key": key})
    found = session.get(RitualState, key)
    assert found is not None
    return found


# ---- occurrences -------------------------------------------------------------------------------
def claim_occurrence(session: Session, **values: Any) -> Occurrence | None:
    """Insert the occurrence unless it exists already; the inserted row, or None if not ours."""
    if not insert_ignore(session, Occurrence, values):
        return None
    return occurrence_at(session, ritual_key=values["ritual_key"], at=values["scheduled_at"])


def occurrence_at(session: Session, *, ritual_key: str, at: datetime) -> Occurrence | None:
    return session.exec(
        select(Occurrence)
        .where(Occurrence.ritual_key == ritual_key)
        .where(Occurrence.scheduled_at == at)
    ).first()


def occurrence(session: Session, *, occurrence_id: int) -> Occurrence | None:
    return session.get(Occurrence, occurrence_id)


def lock_occurrence(session: Session, *, occurrence_id: int) -> Occurrence | None:
    """The occurrence, locked for this transaction and read afresh: check-ins, decisions, a
    skip and the closing summary of one occurrence take turns."""
    return _locked(session, Occurrence, occurrence_id)


def lock_decision(session: Session, *, decision_id: int) -> Decision | None:
    """The decision, locked for this transaction and read afresh (two Done clicks at once)."""
    return _locked(session, Decision, decision_id)


def _locked(session: Session, model: Any, key: Any) -> Any:
    table: Any = model.__table__
    column = next(iter(table.primary_key.columns))
    query = select(model).where(column == key).with_for_update()
    return session.exec(query.execution_options(populate_existing=True)).first()


def set_decision_status(
    session: Session, decision: Decision, *, to: str, by: str | None, at: datetime | None
) -> bool:
    """Move a decision from the other status to ``to`` (done: recording who and when; open:
    clearing them); False when another request moved it first."""
    result = session.connection().execute(
        update(Decision)
        .where(col(Decision.id) == decision.id)
        .where(col(Decision.status) != to)
        .values(status=to, done_by=by, done_at=at)
    )
    session.refresh(decision)
    return bool(result.rowcount == 1)


def skipped_ahead(session: Session, *, ritual_key: str, after: datetime) -> list[Occurrence]:
    """Occurrences skipped before their time came (scheduled after ``after``), soonest first."""
    return list(
        session.exec(
            select(Occurrence)
            .where(Occurrence.ritual_key == ritual_key)
            .where(Occurrence.status == SKIPPED)
            .where(col(Occurrence.posted_at).is_(None))
            .where(col(Occurrence.scheduled_at) > after)
            .order_by(col(Occurrence.scheduled_at))
        )
    )


def skipped_while_open(session: Session, *, ritual_key: str, now: datetime) -> Occurrence | None:
    """The occurrence skipped after it was posted whose window has not ended yet, if any."""
    return session.exec(
        select(Occurrence)
        .where(Occurrence.ritual_key == ritual_key)
        .where(Occurrence.status == SKIPPED)
        .where(col(Occurrence.posted_at).is_not(None))
        .where(col(Occurrence.closes_at) > now)
        .order_by(col(Occurrence.scheduled_at).desc())
    ).first()


def forget(session: Session, occ: Occurrence) -> None:
    """Delete an occurrence that was never posted (an un-skipped one): its time comes anew."""
    session.delete(occ)
    session.flush()


def open_occurrences(session: Session, *, ritual_key: str | None = None) -> list[Occurrence]:
    """Occurrences posted and not yet closed or skipped, oldest first."""
    query = select(Occurrence).where(Occurrence.status == POSTED)
    if ritual_key is not None:
        query = query.where(Occurrence.ritual_key == ritual_key)
    return list(session.exec(query.order_by(col(Occurrence.scheduled_at))))


def due_to_close(session: Session, *, now: datetime) -> list[Occurrence]:
    return list(
        session.exec(
            select(Occurrence)
            .where(Occurrence.status == POSTED)
            .where(col(Occurrence.closes_at) <= now)
            .order_by(col(Occurrence.id))
        )
    )


def transition(session: Session, occ: Occurrence, *, to: str, **values: Any) -> bool:
    """Move a posted occurrence to ``to``; False when another request moved it first."""
    result = session.connection().execute(
        update(Occurrence)
        .where(col(Occurrence.id) == occ.id)
        .where(col(Occurrence.status) == POSTED)
        .values(status=to, **values)
    )
    if result.rowcount != 1:
        return False
    session.refresh(occ)
    return True


def unskip(session: Session, occ: Occurrence) -> bool:
    """Move a skipped occurrence back to posted; False when it was not skipped (any more)."""
    result = session.connection().execute(
        update(Occurrence)
        .where(col(Occurrence.id) == occ.id)
        .where(col(Occurrence.status) == SKIPPED)
        .values(status=POSTED, skip_reason=None, skipped_by=None, closed_at=None)
    )
    if result.rowcount != 1:
        return False
    session.refresh(occ)
    return True


def unreported_misses(session: Session) -> list[Occurrence]:
    """Missed occurrences no triage has mentioned yet, oldest first."""
    return list(
        session.exec(
            select(Occurrence)
            .where(Occurrence.status == MISSED)
            .where(col(Occurrence.reported_in).is_(None))
            .order_by(col(Occurrence.scheduled_at))
        )
    )


def occurrences_between(session: Session, *, start: datetime, end: datetime) -> list[Occurrence]:
    return list(
        session.exec(
            select(Occurrence)
            .where(col(Occurrence.scheduled_at) >= start)
            .where(col(Occurrence.scheduled_at) < end)
            .order_by(col(Occurrence.scheduled_at))
        )
    )


# ---- check-ins ---------------------------------------------------------------------------------
def checkins(session: Session, *, occurrence_id: int) -> list[CheckIn]:
    return list(
        session.exec(
            select(CheckIn)
            .where(CheckIn.occurrence_id == occurrence_id)
            .order_by(col(CheckIn.at), col(CheckIn.id))
        )
    )


def checkin(session: Session, *, occurrence_id: int, user_id: str) -> CheckIn | None:
    return session.exec(
        select(CheckIn)
        .where(CheckIn.occurrence_id == occurrence_id)
        .where(CheckIn.user_id == user_id)
    ).first()


# ---- decisions ---------------------------------------------------------------------------------
def decisions(
    session: Session,
    *,
    status: str | None = None,
    owner: str | None = None,
    occurrence_id: int | None = None,
    ritual_key: str | None = None,
) -> list[Decision]:
    """Decisions, earliest due first, narrowed by whichever filters are given."""
    query = select(Decision)
    if status is not None:
        query = query.where(Decision.status == status)
    if owner is not None:
        query = query.where(Decision.owner == owner)
    if occurrence_id is not None:
        query = query.where(Decision.occurrence_id == occurrence_id)
    if ritual_key is not None:
        query = query.where(Decision.ritual_key == ritual_key)
    return list(session.exec(query.order_by(col(Decision.due), col(Decision.id))))


def decision(session: Session, *, decision_id: int) -> Decision | None:
    return session.get(Decision, decision_id)


def decisions_done_by(session: Session, *, user_id: str, since: datetime) -> list[Decision]:
    """Decisions ``user_id`` marked done at or after ``since``, latest first."""
    return list(
        session.exec(
            select(Decision)
            .where(Decision.status == DONE)
            .where(Decision.done_by == user_id)
            .where(col(Decision.done_at) >= since)
            .order_by(col(Decision.done_at).desc())
        )
    )


def decisions_done_between(session: Session, *, start: datetime, end: datetime) -> list[Decision]:
    return list(
        session.exec(
            select(Decision)
            .where(Decision.status == DONE)
            .where(col(Decision.done_at) >= start)
            .where(col(Decision.done_at) < end)
            .order_by(col(Decision.done_at))
        )
    )


# ---- reminders ---------------------------------------------------------------------------------
def claim_reminder(session: Session, *, key: str, now: datetime) -> bool:
    """True once per key, whichever replica asks first."""
    return insert_ignore(session, ReminderSent, {"key": key, "sent_at": now})
