"""What delivery knows of Slack's errors, and the domain callbacks it runs by name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from opsbot.outbox import OutboxJob

TRANSIENT_ERRORS = {
    "internal_error",
    "fatal_error",
    "service_unavailable",
    "request_timeout",
    "ratelimited",
    "rate_limited",
    "team_added_to_org",
}
ALREADY_DONE_ERRORS = {
    "already_in_channel",
    "already_pinned",
    "already_reacted",
    "already_archived",
    "no_reaction",
}
METADATA_EVENT = "opsbot_outbox"
MAX_TRANSIENT_ATTEMPTS = 60

AfterStep = Callable[[Session, OutboxJob, dict[str, Any]], None]
OnError = Callable[[Session, OutboxJob, dict[str, Any], str], dict[str, Any] | None]
OnFail = Callable[[Session, OutboxJob, str], None]


@dataclass
class Hooks:
    """Domain callbacks run inside delivery's transactions, registered by name."""

    after_step: dict[str, AfterStep] = field(default_factory=dict)
    on_error: dict[str, OnError] = field(default_factory=dict)
    on_fail: dict[str, OnFail] = field(default_factory=dict)
