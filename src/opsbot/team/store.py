"""Who holds each team role, as changed in Slack (the configuration gives the starting holders).

A role changed in Slack has a ``team_role`` row (who changed it last, and when) and its holders
in ``team_role_holder``; from then on those rows, not the configuration, say who holds it (an
empty role stays empty). The ``team_role`` row is also what two changes at once take turns on.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlmodel import Field, Session, SQLModel, col, delete, select

from opsbot.db import UTCDateTime, insert_ignore


class RoleAssignment(SQLModel, table=True):
    """A team role whose holders are kept in Slack (`/ops team add|remove|set`), replacing the
    configured ones; who changed it last and when."""

    __tablename__ = "team_role"

    role: str = Field(primary_key=True, max_length=60)
    assigned_by: str = Field(max_length=20)
    assigned_at: datetime = Field(sa_type=UTCDateTime)


class RoleHolder(SQLModel, table=True):
    """One person holding a team role kept in Slack."""

    __tablename__ = "team_role_holder"

    role: str = Field(primary_key=True, max_length=60)
    user_id: str = Field(primary_key=True, max_length=20)
    added_by: str = Field(max_length=20)
    added_at: datetime = Field(sa_type=UTCDateTime)


def assignment(session: Session, *, role: str) -> RoleAssignment | None:
    return session.get(RoleAssignment, role)


_EVERY_ASSIGNMENT = select(RoleAssignment)  # built once: `/ops team` reads it on every call


def assignments(session: Session) -> dict[str, RoleAssignment]:
    """The roles kept in Slack, by role."""
    return {a.role: a for a in session.exec(_EVERY_ASSIGNMENT)}


def holders(session: Session, *, role: str | None = None) -> dict[str, list[str]]:
    """The holders of the roles kept in Slack (each role's in the order they were added)."""
    query = select(RoleHolder)
    if role is not None:
        query = query.where(RoleHolder.role == role)
    found: dict[str, list[str]] = defaultdict(list)
    for row in session.exec(query.order_by(col(RoleHolder.added_at), col(RoleHolder.user_id))):
        found[row.role].append(row.user_id)
    return dict(found)


def lock_role(session: Session, *, role: str, by: str, at: datetime) -> tuple[RoleAssignment, bool]:
    """The role's row, locked for this transaction and read afresh (two changes at once take
    turns, the second seeing the first's holders); True when this call created it, i.e. the
    role was held as configured until now."""
    created = insert_ignore(
        session, RoleAssignment, {"role": role, "assigned_by": by, "assigned_at": at}
    )
    row = session.exec(
        select(RoleAssignment)
        .where(RoleAssignment.role == role)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    assert row is not None
    return row, created


def replace_holders(
    session: Session, row: RoleAssignment, *, user_ids: list[str], by: str, at: datetime
) -> None:
    """The role is held by ``user_ids`` from now on (those who already held it keep their
    row); ``row`` records who changed it."""
    kept = set(holders(session, role=row.role).get(row.role, []))
    session.exec(
        delete(RoleHolder)
        .where(col(RoleHolder.role) == row.role)
        .where(col(RoleHolder.user_id).not_in(user_ids))
    )
    for user_id in user_ids:
        if user_id not in kept:
            session.add(RoleHolder(role=row.role, user_id=user_id, added_by=by, added_at=at))
    row.assigned_by, row.assigned_at = by, at
    session.add(row)
    session.flush()
