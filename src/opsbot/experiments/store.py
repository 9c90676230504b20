"""Experiment records: the registered design, its latest judgment, its decision, and a history
of what happened to it (registered, each change of state, decided). The only place with
``select`` for experiments; the arms' numbers are read from telemetry's rollups (``arms``).
"""

from __future__ import annotations

import zlib
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Text, text, update
from sqlalchemy import false as sa_false
from sqlmodel import Field, Session, SQLModel, col, select

from opsbot.db import UTCDateTime

RUNNING, CONCLUDED = "running", "concluded"


class Experiment(SQLModel, table=True):
    """One experiment on a surface: its design (fixed at registration), its latest judgment,
    and once concluded the decision and the ritual decision that carries it."""

    __tablename__ = "experiment"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=80, unique=True)
    surface: str = Field(max_length=60, index=True)
    hypothesis: str = Field(sa_column=Column(Text, nullable=False))
    arm_kind: str = Field(max_length=10)  # version | tag
    control: str = Field(max_length=100)
    treatment: str = Field(max_length=100)
    treatment_share: float
    primary_metric: str = Field(max_length=30)
    guardrails: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    min_effect: float
    min_days: int
    min_sample: int = Field(sa_column=Column(BigInteger, nullable=False))
    alpha: float
    tuning_total: int = Field(sa_column=Column(BigInteger, nullable=False))  # N* of the sequence
    starts_at: datetime = Field(sa_type=UTCDateTime)
    registered_at: datetime = Field(sa_type=UTCDateTime)
    registered_by: str = Field(max_length=120)  # a Slack user id, or "api:<token name>"
    late: bool  # started before it was registered
    channel: str = Field(max_length=80)  # where its card is
    status: str = Field(default=RUNNING, max_length=12, index=True)
    state: str = Field(max_length=20)
    state_label: str = Field(max_length=60)  # "collecting (3 days left)"…
    noticed_state: str = Field(max_length=20)  # the last state its thread was told of
    analysis: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    evaluated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decision: str | None = Field(default=None, max_length=10)  # ship | rollback | iterate
    decision_reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    decided_by: str | None = Field(default=None, max_length=20)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ritual_decision_id: int | None = None  # the ritual decision that carries it
    decision_owner: str | None = Field(default=None, max_length=20)  # who carries it out
    decision_due: date | None = None

    @property
    def card_key(self) -> str:
        """The outbox key of its card (its thread holds the notices)."""
        return f"experiment:{self.id}:card"


class ExperimentEvent(SQLModel, table=True):
    """Something that happened to an experiment: registered, a new state, decided."""

    __tablename__ = "experiment_event"

    id: int | None = Field(default=None, primary_key=True)
    experiment_id: int = Field(foreign_key="experiment.id", index=True)
    at: datetime = Field(sa_type=UTCDateTime)
    kind: str = Field(max_length=20)  # registered | state | decided
    state: str | None = Field(default=None, max_length=20)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


# ---- queries ------------------------------------------------------------------------------------
def by_key(session: Session, *, key: str) -> Experiment | None:
    return session.exec(select(Experiment).where(Experiment.key == key)).first()


def lock(session: Session, *, key: str) -> Experiment | None:
    """The experiment, locked for this transaction on PostgreSQL (two decisions at once) and
    read afresh."""
    query = (
        select(Experiment).where(Experiment.key == key).execution_options(populate_existing=True)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return session.exec(query).first()


def lock_surface(session: Session, *, surface: str) -> None:
    """Registrations on one surface take turns until the transaction ends: on PostgreSQL by an
    advisory lock; on SQLite by taking the database's write lock now, before anything is read
    (a write that changes nothing begins the write transaction)."""
    if session.get_bind().dialect.name == "postgresql":
        key = zlib.crc32(f"experiments:{surface}".encode())
        session.connection().execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})
    else:
        session.connection().execute(
            update(Experiment).where(sa_false()).values(id=col(Experiment.id))
        )


def claim_notice(session: Session, experiment: Experiment, *, state: str) -> bool:
    """Record that the thread is told of ``state``; False when another process told it (or
    something newer) first, so each state is told once however many judge at once."""
    result = session.connection().execute(
        update(Experiment)
        .where(col(Experiment.id) == experiment.id)
        .where(col(Experiment.noticed_state) == experiment.noticed_state)
        .values(noticed_state=state)
    )
    if result.rowcount != 1:
        return False
    experiment.noticed_state = state
    return True


def claim_decision(
    session: Session, experiment: Experiment, *, decision: str, by: str, now: datetime
) -> bool:
    """Conclude a running experiment with ``decision``; False when someone decided first."""
    result = session.connection().execute(
        update(Experiment)
        .where(col(Experiment.id) == experiment.id)
        .where(col(Experiment.status) == RUNNING)
        .values(status=CONCLUDED, decision=decision, decided_by=by, decided_at=now, ended_at=now)
    )
    session.refresh(experiment)
    return bool(result.rowcount == 1)


def on_surface(session: Session, *, surface: str) -> list[Experiment]:
    return list(
        session.exec(
            select(Experiment).where(Experiment.surface == surface).order_by(col(Experiment.id))
        )
    )


def running(session: Session) -> list[Experiment]:
    """Experiments not yet concluded, oldest first."""
    return list(
        session.exec(
            select(Experiment).where(Experiment.status == RUNNING).order_by(col(Experiment.id))
        )
    )


def listed(session: Session, *, limit: int = 50) -> list[Experiment]:
    """Running ones first, then the most recently concluded."""
    rows = session.exec(
        select(Experiment).order_by(col(Experiment.status).desc(), col(Experiment.id).desc())
    ).all()
    return list(rows)[:limit]


def concluded(session: Session) -> list[Experiment]:
    """Experiments concluded with a decision, in the order they were decided."""
    return list(
        session.exec(
            select(Experiment)
            .where(Experiment.status == CONCLUDED)
            .order_by(col(Experiment.decided_at), col(Experiment.id))
        )
    )


def active_between(session: Session, *, start: datetime, end: datetime) -> list[Experiment]:
    """Experiments that ran at some time in [start, end), in the order they started."""
    return list(
        session.exec(
            select(Experiment)
            .where(col(Experiment.starts_at) < end)
            .where(col(Experiment.ended_at).is_(None) | (col(Experiment.ended_at) >= start))
            .order_by(col(Experiment.starts_at), col(Experiment.id))
        )
    )


def decided_between(session: Session, *, start: datetime, end: datetime) -> list[Experiment]:
    """Experiments decided in [start, end), in the order they were decided."""
    return list(
        session.exec(
            select(Experiment)
            .where(col(Experiment.decided_at) >= start, col(Experiment.decided_at) < end)
            .order_by(col(Experiment.decided_at))
        )
    )


def events(session: Session, *, experiment_id: int) -> list[ExperimentEvent]:
    return list(
        session.exec(
            select(ExperimentEvent)
            .where(ExperimentEvent.experiment_id == experiment_id)
            .order_by(col(ExperimentEvent.at), col(ExperimentEvent.id))
        )
    )


def add_event(
    session: Session,
    experiment: Experiment,
    *,
    kind: str,
    at: datetime,
    state: str | None = None,
    **detail: Any,
) -> None:
    session.add(
        ExperimentEvent(
            experiment_id=experiment.id or 0, at=at, kind=kind, state=state, detail=detail
        )
    )
