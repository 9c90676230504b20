"""What features hand one another through the Context, so that none imports another for it.

The rituals read three of them: a check-in message shows the ``ContextSection``s that the
registered providers return for its ``RitualPeriod``, the daily triage lists every
``TriageItem`` the registered providers return, and an occurrence that is posted runs the hooks
registered for its ritual's key in the same transaction (the weekly review's chart). The
dashboard reads incidents' time to remediation through ``RemediationDurations``. Telemetry
reads the last two: an eval run it stores is handed to every ``EvalRunHook`` in the same
transaction (incidents verify the fixes its passing cases test), and every ``IngestHook`` runs
after stored telemetry commits (the dashboard checks whether a metric entered act). The parts
contribute them in their ``contribute(ctx)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlmodel import Session


@dataclass(frozen=True)
class TriageItem:
    """One line of the daily triage: plain text (the triage escapes it), linked to a channel."""

    text: str
    channel_id: str | None = None


# (session, now) -> the exceptions a feature wants the daily triage to list
TriageProvider = Callable[[Session, datetime], list[TriageItem]]


@dataclass(frozen=True)
class PostedOccurrence:
    """A ritual occurrence whose check-in message has just been queued for posting."""

    ritual_key: str
    channel: str  # the channel name the check-in message goes to
    thread_key: str  # outbox message key of the check-in message, for replies in its thread
    now: datetime


# Runs in the transaction that claimed and posted the occurrence: exactly once per occurrence.
OccurrenceHook = Callable[[Session, PostedOccurrence], None]


@dataclass(frozen=True)
class RitualPeriod:
    """What a ritual occurrence being posted looks at: its kind (``triage``, ``review`` or
    ``retro``) and, for a review or retro, the period since its previous occurrence."""

    kind: str
    now: datetime
    since: datetime | None = None  # None for the triage, which looks at what is open now
    since_text: str = ""  # "since Mon 02 Mar", in the ritual's time zone


@dataclass(frozen=True)
class ContextSection:
    """A section of a ritual's check-in message: mrkdwn lines (user text escaped), and what
    it says when there are none."""

    title: str
    lines: list[str]
    empty: str


# (session, period) -> the sections a feature adds to a ritual's context, in order (incidents:
# open incidents and unverified fixes for the triage, the period's incidents for a review)
RitualContextProvider = Callable[[Session, RitualPeriod], list[ContextSection]]


@dataclass(frozen=True)
class EvalRunSummary:
    """An eval run just stored: which of its case ids passed and which failed."""

    suite: str
    run_ref: str  # the run's run_id (unique within its suite)
    passing: tuple[str, ...]  # case ids in the run's order, each once
    failing: tuple[str, ...]  # case ids that failed in the run (a repeated id may be in both)
    at: datetime  # when it was stored: the time anything it settles is settled at


# Runs once per stored run, in the transaction that stored it (a hook that raises stores
# nothing). Returns what the run settled, as JSON-able dicts: the ingest answer lists them all
# under "verified_fixes" (incidents: {"incident": id, "fix": number, "test": case id}).
EvalRunHook = Callable[[Session, EvalRunSummary], list[dict[str, Any]]]


# Runs after a batch of telemetry was committed: in the background after the ingest API has
# answered (one run at a time; a burst of batches runs it twice, not once each), and at once
# after `opsbot ingest` or the console's `ingest`. Returns lines for whoever ran the ingest.
IngestHook = Callable[[], list[str]]


class RemediationDurations(Protocol):
    """Seconds from declared to the last fix verified, per severity, of the incidents resolved
    in [since, until) (``until`` None: up to now). Incidents provide it; the dashboard reads it."""

    def __call__(
        self, session: Session, *, since: datetime, until: datetime | None = None
    ) -> dict[str, list[float]]: ...


def no_remediation_durations(
    session: Session, *, since: datetime, until: datetime | None = None
) -> dict[str, list[float]]:
    """What the dashboard reads while no part provides durations: none."""
    return {}
