"""Who holds each team role, as set in Slack (the configuration gives the starting holders)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import select as sa_select
from sqlmodel import Field, Session, SQLModel

from opsbot.db import UTCDateTime


class RoleAssignment(SQLModel, table=True):
    """A team role given to a person with `/ops team set`; it replaces the configured holders."""

    __tablename__ = "team_role"

    role: str = Field(primary_key=True, max_length=60)
    user_id: str = Field(max_length=20)
    assigned_by: str = Field(max_length=20)
    assigned_at: datetime = Field(sa_type=UTCDateTime)


def assignment(session: Session, *, role: str) -> RoleAssignment | None:
    return session.get(RoleAssignment, role)


class Held(NamedTuple):
    """Who holds a role given in Slack, and who gave it."""

    user_id: str
    assigned_by: str


_TABLE: Any = getattr(RoleAssignment, "__table__")  # noqa: B009  SQLModel declares it untyped
_EVERY_ASSIGNMENT = sa_select(_TABLE.c.role, _TABLE.c.user_id, _TABLE.c.assigned_by)


def assignments(session: Session) -> dict[str, Held]:
    """Every role given in Slack: `/ops team` reads this on each call, so it is one plain
    query on the session's connection (no ORM objects: a third of the command's time)."""
    rows = session.connection().execute(_EVERY_ASSIGNMENT)
    return {role: Held(user_id, by) for role, user_id, by in rows}


def assign(session: Session, *, role: str, user_id: str, by: str, at: datetime) -> RoleAssignment:
    row = session.get(RoleAssignment, role) or RoleAssignment(
        role=role, user_id=user_id, assigned_by=by, assigned_at=at
    )
    row.user_id, row.assigned_by, row.assigned_at = user_id, by, at
    session.add(row)
    return row
