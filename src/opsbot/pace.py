"""Slack's pace of one message per second per channel, shared by every delivery worker."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, SQLModel

from opsbot.db import UTCDateTime, transaction

INTERVAL = timedelta(seconds=1)


class ChannelPace(SQLModel, table=True):
    """When a channel may next receive a message from opsbot."""

    __tablename__ = "channel_pace"

    channel: str = Field(primary_key=True, max_length=120)
    next_free_at: datetime = Field(sa_type=UTCDateTime)


def take(engine: Engine, channel: str, now: datetime) -> float:
    """Take the channel's next slot: 0 when the message may go now, else seconds to wait."""
    for _ in range(3):
        with transaction(engine) as session:
            taken = session.exec(
                update(ChannelPace)
                .where(ChannelPace.channel == channel)  # type: ignore[arg-type]
                .where(ChannelPace.next_free_at <= now)  # type: ignore[arg-type]
                .values(next_free_at=now + INTERVAL)
            )
            if taken.rowcount == 1:
                return 0.0
            row = session.get(ChannelPace, channel)
            if row is not None:
                return max((row.next_free_at - now).total_seconds(), 0.01)
        try:
            with transaction(engine) as session:
                session.add(ChannelPace(channel=channel, next_free_at=now + INTERVAL))
            return 0.0
        except IntegrityError:
            continue  # another worker created the row first; take it the ordinary way
    return 1.0
