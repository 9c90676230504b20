"""The daily triage's view of the dashboard, as the rituals feature looks it up by name."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from opsbot.dashboard.alerts import breaches
from opsbot.slack.mrkdwn import unescape


def metric_breaches(session: Session, now: datetime) -> list[str]:
    """`breaches` as plain text: the triage escapes each item itself."""
    return [unescape(line) for line in breaches(session, now)]
