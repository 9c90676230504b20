"""Who holds each team role, as set in Slack (the configuration gives the starting holders)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, Session, SQLModel, select

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


_EVERY_ASSIGNMENT = select(RoleAssignment)  # built once: `/ops team` reads it on every call


def assignments(session: Session) -> dict[str, RoleAssignment]:
    return {a.role: a for a in session.exec(_EVERY_ASSIGNMENT)}


def assign(session: Session, *, role: str, user_id: str, by: str, at: datetime) -> RoleAssignment:
    row = session.get(RoleAssignment, role) or RoleAssignment(
        role=role, user_id=user_id, assigned_by=by, assigned_at=at
    )
    row.user_id, row.assigned_by, row.assigned_at = user_id, by, at
    session.add(row)
    return row
