"""The dashboard's own table, ``dashboard_alert``, and its queries; telemetry is read through
``opsbot.telemetry.store``.

Each dashboard entry has a row; the move into act is a conditional update
(``… WHERE in_act = false``), so two processes checking at once post it only once.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Field, Session, SQLModel, col, or_, select

from opsbot.db import UTCDateTime, insert_ignore


class AlertState(SQLModel, table=True):
    """Whether a dashboard entry (e.g. "drift:refund-agent") is in act, so it is posted once."""

    __tablename__ = "dashboard_alert"

    key: str = Field(max_length=200, primary_key=True)
    metric: str = Field(max_length=40)
    label: str = Field(max_length=200)
    in_act: bool = False
    reason: str = Field(default="", max_length=2000)
    entered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    left_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


def leave_act(session: Session, *, still_acting: Collection[str], now: datetime) -> None:
    """Every entry in act but not among ``still_acting`` leaves act now."""
    session.exec(
        update(AlertState)
        .where(col(AlertState.in_act).is_(True), col(AlertState.key).not_in(list(still_acting)))
        .values(in_act=False, left_at=now, updated_at=now)
    )


def enter_act(
    session: Session, *, key: str, metric: str, label: str, reason: str, now: datetime
) -> bool:
    """Move an entry into act; True only for the one caller that moved it (it was not in act)."""
    insert_ignore(
        session,
        AlertState,
        {
            "key": key,
            "metric": metric,
            "label": label,
            "in_act": False,
            "reason": "",
            "updated_at": now,
        },
    )
    entered = session.exec(
        update(AlertState)
        .where(col(AlertState.key) == key, col(AlertState.in_act).is_(False))
        .values(in_act=True, entered_at=now, left_at=None, updated_at=now, reason=reason)
        .returning(col(AlertState.key))
    ).first()
    return entered is not None


def any_in_act(session: Session) -> bool:
    """True when some entry is in act."""
    found = session.exec(select(AlertState.key).where(col(AlertState.in_act).is_(True)).limit(1))
    return found.first() is not None


def breached_since(session: Session, since: datetime) -> Sequence[AlertState]:
    """Entries in act now or that left act at or after ``since``, by when they entered act."""
    return session.exec(
        select(AlertState)
        .where(or_(col(AlertState.in_act).is_(True), col(AlertState.left_at) >= since))
        .where(col(AlertState.entered_at).is_not(None))
        .order_by(col(AlertState.entered_at))
    ).all()
