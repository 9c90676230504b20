"""Events API retries are handled once: every event_id is remembered in the database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from slack_bolt import BoltRequest, BoltResponse
from sqlalchemy import Engine, delete
from sqlmodel import Field, SQLModel, col

from opsbot.clock import Clock
from opsbot.db import UTCDateTime, insert_ignore, transaction

KEEP_FOR = timedelta(days=2)  # Slack retries for at most ~6 minutes; two days is generous


class SlackEvent(SQLModel, table=True):
    """An Events API delivery already taken in."""

    __tablename__ = "slack_event"

    event_id: str = Field(primary_key=True, max_length=64)
    received_at: datetime = Field(sa_type=UTCDateTime, index=True)


def first_delivery(engine: Engine, event_id: str, now: datetime) -> bool:
    """True the first time an event id is seen, in this process or any earlier one."""
    with transaction(engine) as session:
        return insert_ignore(session, SlackEvent, {"event_id": event_id, "received_at": now})


def forget_old(engine: Engine, now: datetime) -> int:
    with transaction(engine) as session:
        result = session.execute(
            delete(SlackEvent).where(col(SlackEvent.received_at) < now - KEEP_FOR)
        )
        return int(getattr(result, "rowcount", 0) or 0)


def dedupe_middleware(engine: Engine, clock: Clock) -> Callable[..., BoltResponse]:
    def dedupe(
        req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse:
        body = req.body or {}
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not first_delivery(engine, str(event_id), clock()):
            return BoltResponse(status=200, body="")
        return next()

    return dedupe
