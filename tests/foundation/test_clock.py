"""Every timestamp opsbot writes comes from its injected clock, never from the wall clock."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import DateTime, select
from sqlmodel import Session

from opsbot import outbox
from opsbot.db import UTCDateTime
from opsbot.testing.live import LiveBot

SHIFT = timedelta(days=1000)


class ShiftedClock:
    """Wall time moved 1000 days back: a value written from the wall clock stands out."""

    def __init__(self) -> None:
        self.lock = threading.Lock()

    def __call__(self) -> datetime:
        with self.lock:
            return datetime.now(UTC) - SHIFT


def _written_times(engine: Any) -> list[tuple[str, datetime]]:
    """Every date-time value in every table, named ``table.column``."""
    from opsbot.tables import metadata

    found = []
    with Session(engine) as session:
        for table in metadata.sorted_tables:
            for column in table.columns:
                if not isinstance(column.type, (DateTime, UTCDateTime)):
                    continue
                for (value,) in session.execute(select(column).where(column.is_not(None))):
                    found.append((f"{table.name}.{column.name}", value))
    return found


def test_a_day_of_work_writes_only_times_from_the_injected_clock(slack, database_url) -> None:
    """Declaring an incident, running a ritual and delivering their messages under a clock
    1000 days behind the wall clock stores no date-time from the wall clock."""
    clock = ShiftedClock()
    alice = slack.person("alice")
    with LiveBot(slack, database_url, clock=clock) as live:
        alice.command("/incident", "declare sev2 Refund agent misfires", channel="general")
        alice.command("/ritual", "run daily-exception-triage", channel="ai-ops")
        slack.wait_for(lambda: len(slack.messages("incidents")) == 1, timeout=15)
        slack.wait_for(lambda: slack.messages("ai-ops"), timeout=15)
        with live.ctx.tx() as session:
            slack.wait_for(lambda: outbox.depth(session) == 0, timeout=15)
        times = _written_times(live.ctx.engine)
    assert {name.split(".")[0] for name, _ in times} >= {"outbox", "incident", "ritual_occurrence"}
    now = clock()
    wrong = [(name, value) for name, value in times if abs(value - now) > timedelta(days=1)]
    assert wrong == []
