"""Ritual rules: where an occurrence and a decision stand (the values the tables store), which
reminders fit an occurrence, who may close a decision, which expected outputs are missing.

Plain values in and out: no Slack, no SQL, no clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class OccurrenceStatus(StrEnum):
    """An occurrence is posted, then closed (with a summary), missed (nobody came) or skipped."""

    POSTED = "posted"
    CLOSED = "closed"
    MISSED = "missed"
    SKIPPED = "skipped"


class DecisionStatus(StrEnum):
    """A decision is open until someone marks it done."""

    OPEN = "open"
    DONE = "done"


REMINDER_LEAD = timedelta(minutes=1)  # a reminder closer than this to the close is useless
REMINDER_CUTOFF = timedelta(seconds=30)  # a due reminder is sent only this long before the close


def fitting_reminders(
    posted_at: datetime, closes_at: datetime, remind_after_minutes: Sequence[int]
) -> list[tuple[int, datetime]]:
    """(stage, when) of the reminders that fit the occurrence: at least ``REMINDER_LEAD``
    before it closes (a late post or a short window leaves out those that do not)."""
    fitting = []
    for stage, minutes in enumerate(remind_after_minutes):
        at = posted_at + timedelta(minutes=minutes)
        if at <= closes_at - REMINDER_LEAD:
            fitting.append((stage, at))
    return fitting


def reminder_due(
    posted_at: datetime, closes_at: datetime, remind_after_minutes: Sequence[int], now: datetime
) -> list[int]:
    """The stages due at ``now`` (several after a downtime: one reminder stands for them);
    none in the last ``REMINDER_CUTOFF`` before the close, nor at or after it."""
    if now >= closes_at - REMINDER_CUTOFF:
        return []
    return [
        stage
        for stage, at in fitting_reminders(posted_at, closes_at, remind_after_minutes)
        if at <= now
    ]


@dataclass(frozen=True)
class DecisionClosers:
    """Who may mark a decision done or reopen it: its owner, the ritual's owners, admins."""

    owner: str
    ritual_owners: Sequence[str]
    admins: Sequence[str]

    def allows(self, user_id: str) -> bool:
        return user_id in (self.owner, *self.ritual_owners, *self.admins)


def missing_outputs(expected: Sequence[str], recorded: Sequence[str | None]) -> list[str]:
    """The ritual's expected decision outputs that no recorded decision names."""
    return [output for output in expected if output not in recorded]
