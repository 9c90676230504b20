"""The daily triage's view of the dashboard: a ``TriageProvider`` the feature registers."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from opsbot.dashboard.alerts import breaches
from opsbot.seams import TriageItem
from opsbot.slack.mrkdwn import unescape


def metric_breaches(session: Session, now: datetime) -> list[TriageItem]:
    """`breaches` as plain text: the triage escapes each item itself."""
    return [TriageItem(unescape(line)) for line in breaches(session, now)]
