"""The incident use cases in one place, for the Slack layer and for other features.

Each takes a Session (the caller owns the transaction) and writes its Slack effects to the
outbox; the modules named below hold them by responsibility.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from opsbot.incidents import store
from opsbot.incidents.closing import close, export, postmortem_markdown
from opsbot.incidents.declaring import Declaration, declare
from opsbot.incidents.lifecycle import (
    add_note,
    assign_role,
    change_severity,
    contain,
    name_surface,
    resolve,
)
from opsbot.incidents.nudges import run_nudges
from opsbot.incidents.regressions import regressions
from opsbot.incidents.remediation import (
    add_fix,
    record_finding,
    rule_out,
    verify_fix,
    verify_fixes_by_tests,
)
from opsbot.incidents.store import Fix, Incident
from opsbot.incidents.updates import draft, post_update

__all__ = [
    "Declaration",
    "add_fix",
    "add_note",
    "assign_role",
    "change_severity",
    "close",
    "contain",
    "declare",
    "declared_between",
    "draft",
    "export",
    "name_surface",
    "open_incidents",
    "post_update",
    "postmortem_markdown",
    "record_finding",
    "regressions",
    "resolve",
    "rule_out",
    "run_nudges",
    "unverified_fixes",
    "verify_fix",
    "verify_fixes_by_tests",
]


def open_incidents(session: Session) -> list[Incident]:
    """Declared or contained incidents with a channel, worst severity first."""
    return store.open_incidents(session)


def unverified_fixes(session: Session) -> list[Fix]:
    """Fixes of open incidents not yet verified by their test."""
    return store.unverified_fixes(session)


def declared_between(session: Session, *, start: datetime, end: datetime) -> list[Incident]:
    """Incidents declared in [start, end), oldest first (the reviews look back on them)."""
    return store.declared_between(session, start=start, end=end)
