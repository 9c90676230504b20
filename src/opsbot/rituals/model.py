"""Where a ritual's occurrence and a recorded decision stand (the values the tables store)."""

from __future__ import annotations

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
