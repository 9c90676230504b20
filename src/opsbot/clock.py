"""Time comes from an injected clock, always aware UTC."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    """The system clock as aware UTC (freezegun moves it in tests)."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Aware UTC for any datetime; a naive one is taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


@dataclass(frozen=True)
class TimeWindow:
    """The times accepted around a moment, both ends included (aware UTC)."""

    earliest: datetime
    latest: datetime

    def holds(self, value: datetime) -> bool:
        """True when ``value`` (aware, any offset) falls inside the window."""
        return self.earliest <= value <= self.latest
