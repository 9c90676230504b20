"""Who is who: the Slack names of the people opsbot has heard from, for documents it writes.

Slack messages show `<@U…>` as a name by themselves; a postmortem file does not, so the names
seen on incoming requests are kept here.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Field, Session, SQLModel, col, select

from opsbot.db import UTCDateTime


class Person(SQLModel, table=True):
    """A Slack user and the name they last had on a request to opsbot."""

    __tablename__ = "slack_person"

    user_id: str = Field(primary_key=True, max_length=20)
    name: str = Field(max_length=120)
    seen_at: datetime = Field(sa_type=UTCDateTime)


def remember(session: Session, *, user_id: str, name: str, at: datetime) -> None:
    person = session.get(Person, user_id)
    if person is None:
        session.add(Person(user_id=user_id, name=name, seen_at=at))
    elif person.name != name:
        person.name, person.seen_at = name, at
        session.add(person)


def names(session: Session, user_ids: Iterable[str]) -> dict[str, str]:
    """Known names by user id (people never heard from are left out)."""
    wanted = {u for u in user_ids if u}
    if not wanted:
        return {}
    rows = session.exec(select(Person).where(col(Person.user_id).in_(wanted)))
    return {row.user_id: row.name for row in rows}


def display(user_id: str | None, known: dict[str, str]) -> str:
    """`@name (U…)` when the name is known, else the id; "opsbot" for no one."""
    if not user_id:
        return "opsbot"
    return f"@{known[user_id]} ({user_id})" if user_id in known else user_id
