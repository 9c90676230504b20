"""What features hand one another through the Context, so that none imports another for it.

The rituals read three of them: the daily triage lists every ``TriageItem`` the registered
providers return, the weekly review shows every ``ReviewSection`` (experiments), and an
occurrence that is posted runs the hooks registered for its ritual's key in the same
transaction (the weekly review's chart). The dashboard reads incidents' time to remediation
through ``RemediationDurations``. Telemetry reads the next two: an eval
run it stores is handed to every ``EvalRunHook`` in the same transaction (incidents verify the
fixes its passing cases test), and every ``IngestHook`` runs after stored telemetry commits
(the dashboard checks whether a metric entered act). Incidents and the dashboard contribute
them in their ``contribute(ctx)``.
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
class ReviewItem:
    """One line of a section of the weekly review's context: plain text (the rituals escape
    it), then the person it names (shown as a mention) and a channel it links to."""

    text: str
    person: str | None = None
    channel_id: str | None = None


@dataclass(frozen=True)
class ReviewSection:
    """A section a feature adds to the weekly review's context, after the incidents."""

    title: str
    items: list[ReviewItem]
    empty: str  # what the section says when it has no items


# (session, since, now) -> a section for the weekly review covering [since, now), or None
ReviewProvider = Callable[[Session, datetime, datetime], ReviewSection | None]


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
