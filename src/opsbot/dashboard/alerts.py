"""A metric entering "act" is posted once to the ops channel and listed in the daily triage.

Each dashboard entry has a row in `dashboard_alert`; the move into act is a conditional
update (`… WHERE in_act = false`), so two processes checking at once post it only once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, or_, select

from opsbot import outbox
from opsbot.config import Config
from opsbot.dashboard import blocks, service
from opsbot.dashboard.store import AlertState
from opsbot.db import insert_ignore

ACT = "act"
log = logging.getLogger(__name__)


def check_alerts(
    session: Session, config: Config, *, now: datetime, board: dict[str, Any] | None = None
) -> list[str]:
    """Post each entry that has just entered act; returns their keys.

    Writes come first (on SQLite a transaction that reads before it writes can be refused
    when another one wrote in between), so pass ``board`` computed in an earlier transaction.
    """
    board = board if board is not None else service.dashboard(session, config, now=now)
    acting = {
        f"{metric}:{key}"[:200]: (metric, key, entry)
        for metric, key, entry in service.entries(board)
        if entry["state"] == ACT
    }
    session.exec(
        update(AlertState)
        .where(col(AlertState.in_act).is_(True), col(AlertState.key).not_in(list(acting)))
        .values(in_act=False, left_at=now, updated_at=now)
    )
    posted = []
    for alert_key, (metric, key, entry) in acting.items():
        insert_ignore(
            session,
            AlertState,
            {
                "key": alert_key,
                "metric": metric,
                "label": key[:200],
                "in_act": False,
                "reason": "",
                "updated_at": now,
            },
        )
        entered = session.exec(
            update(AlertState)
            .where(col(AlertState.key) == alert_key, col(AlertState.in_act).is_(False))
            .values(
                in_act=True,
                entered_at=now,
                left_at=None,
                updated_at=now,
                reason=entry["reason"][:2000],
            )
            .returning(col(AlertState.key))
        ).first()
        if entered is None:
            continue
        text, message = blocks.alert_message(metric, key, entry)
        outbox.post(
            session,
            channel=config.channels.ops,
            text=text,
            blocks=message,
            kind="dashboard-alert",
            lane=outbox.lane_name("dashboard", "alert", metric),
            now=now,
        )
        posted.append(alert_key)
    return posted


def run_check(
    tx: Callable[[], AbstractContextManager[Session]], config: Config, now: datetime
) -> list[str]:
    """The act-check in two transactions: read the dashboard, then record and post.

    The second (a write) is skipped when nothing is in act, before or now: an act-check
    after every ingest then does not queue behind, or hold up, the next batch's write.
    """
    with tx() as session:
        board = service.dashboard(session, config, now=now)
        was_acting = session.exec(
            select(AlertState.key).where(col(AlertState.in_act).is_(True)).limit(1)
        ).first()
    if was_acting is None and not any(e["state"] == ACT for _, _, e in service.entries(board)):
        return []
    with tx() as session:
        return check_alerts(session, config, now=now, board=board)


def breaches(
    session: Session, now: datetime, *, since: timedelta = timedelta(hours=24)
) -> list[str]:
    """mrkdwn lines for the daily triage: entries in act now, and those that were in act
    during the last ``since`` (each says since when, or when it recovered)."""
    rows = session.exec(
        select(AlertState)
        .where(or_(col(AlertState.in_act).is_(True), col(AlertState.left_at) >= now - since))
        .where(col(AlertState.entered_at).is_not(None))
        .order_by(col(AlertState.entered_at))
    ).all()
    return [
        blocks.breach_line(
            row.metric,
            row.label,
            row.reason,
            in_act=row.in_act,
            entered_at=row.entered_at,
            left_at=row.left_at,
        )
        for row in rows
    ]


class AlertRunner:
    """Runs the act-check in the background, one at a time: a request while a check runs asks
    for one more run afterwards, never one each, so a burst of ingests costs two checks."""

    def __init__(self, check: Callable[[], Any]) -> None:
        self._check = check
        self._lock = threading.Lock()
        self._again = False
        self._running = False

    def request(self) -> None:
        """Ask for a check soon; returns at once."""
        with self._lock:
            if self._running:
                self._again = True
                return
            self._running = True
        threading.Thread(target=self._loop, name="dashboard-alerts", daemon=True).start()

    def _loop(self) -> None:
        while True:
            try:
                self._check()
            except Exception:
                log.exception("dashboard act-check failed")
            with self._lock:
                if not self._again:
                    self._running = False
                    return
                self._again = False
