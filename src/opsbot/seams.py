"""What features hand one another through the Context, so that none imports another for it.

The rituals read them: the daily triage lists every ``TriageItem`` the registered providers
return, and an occurrence that is posted runs the hooks registered for its ritual's key in the
same transaction (the weekly review's chart). Incidents and the dashboard contribute them in
their ``register(app, ctx)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

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
