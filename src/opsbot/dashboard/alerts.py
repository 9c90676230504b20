"""A metric entering "act" is posted once to the ops channel and listed in the daily triage.

Each dashboard entry has a row in `dashboard_alert` (``store.AlertState``); the move into act
is a conditional update, so two processes checking at once post it only once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from opsbot import outbox
from opsbot.config import Config
from opsbot.dashboard import blocks, service, store
from opsbot.seams import RemediationDurations

ACT = "act"
log = logging.getLogger(__name__)


def check_alerts(
    session: Session, config: Config, *, now: datetime, board: dict[str, Any]
) -> list[str]:
    """Post each entry of ``board`` that has just entered act; returns their keys.

    Writes come first (on SQLite a transaction that reads before it writes can be refused
    when another one wrote in between), so ``board`` is computed in an earlier transaction.
    """
    acting = {
        f"{metric}:{key}"[:200]: (metric, key, entry)
        for metric, key, entry in service.entries(board)
        if entry["state"] == ACT
    }
    store.leave_act(session, still_acting=acting, now=now)
    posted = []
    for alert_key, (metric, key, entry) in acting.items():
        entered = store.enter_act(
            session,
            key=alert_key,
            metric=metric,
            label=key[:200],
            reason=entry["reason"][:2000],
            now=now,
        )
        if not entered:
            continue
        text, message = blocks.alert_message(metric, key, entry)
        outbox.post(
            session, channel=config.channels.ops, text=text, blocks=message, kind="dashboard-alert"
        )
        posted.append(alert_key)
    return posted


def run_check(
    tx: Callable[[], AbstractContextManager[Session]],
    config: Config,
    now: datetime,
    remediation: RemediationDurations,
) -> list[str]:
    """The act-check in two transactions: read the dashboard, then record and post.

    The second (a write) is skipped when nothing is in act, before or now: an act-check
    after every ingest then does not queue behind, or hold up, the next batch's write.
    """
    with tx() as session:
        board = service.dashboard(session, config, now=now, remediation=remediation)
        was_acting = store.any_in_act(session)
    if not was_acting and not any(e["state"] == ACT for _, _, e in service.entries(board)):
        return []
    with tx() as session:
        return check_alerts(session, config, now=now, board=board)


def breaches(
    session: Session, now: datetime, *, since: timedelta = timedelta(hours=24)
) -> list[str]:
    """mrkdwn lines for the daily triage: entries in act now, and those that were in act
    during the last ``since`` (each says since when, or when it recovered)."""
    return [
        blocks.breach_line(
            row.metric,
            row.label,
            row.reason,
            in_act=row.in_act,
            entered_at=row.entered_at,
            left_at=row.left_at,
        )
        for row in store.breached_since(session, now - since)
    ]
