"""APScheduler wiring: an in-memory job store per process, and one leader at a time.

Correctness never rests on leadership (occurrences are claimed by a unique key); the leader
only keeps replicas from doing the same work twice. On PostgreSQL leadership is a
session-level advisory lock held on a dedicated connection: when the leader dies, its
connection drops, the lock is freed and another replica takes over at its next check.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Engine, text

from opsbot.db import SCHEDULER_LOCK_ID

log = logging.getLogger(__name__)
LEADER_CHECK_SECONDS = 5


class Leadership:
    """Whether this process leads the scheduler; re-checked every few seconds."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._lock = threading.Lock()
        self._conn: Any = None
        self._file: Any = None
        self.is_leader = False

    def check(self) -> bool:
        with self._lock:
            try:
                self.is_leader = self._check()
            except Exception:
                log.warning("scheduler leadership check failed", exc_info=True)
                self._drop()
                self.is_leader = False
            return self.is_leader

    def _check(self) -> bool:
        if self.engine.dialect.name == "postgresql":
            if self._conn is not None:
                self._conn.exec_driver_sql("SELECT 1")
                return True
            conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            got = conn.execute(
                text("SELECT pg_try_advisory_lock(:k)"), {"k": SCHEDULER_LOCK_ID}
            ).scalar()
            if got:
                self._conn = conn
                log.info("this process now leads the scheduler")
                return True
            conn.close()
            return False
        database = self.engine.url.database
        if not database or database == ":memory:":
            return True
        if self._file is not None:
            return True
        handle = open(Path(database).with_suffix(Path(database).suffix + ".scheduler-lock"), "a+")  # noqa: SIM115  held for the process's life
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        self._file = handle
        return True

    def _drop(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):  # the connection may already be dead
                self._conn.close()
            self._conn = None

    def release(self) -> None:
        with self._lock:
            self._drop()
            if self._file is not None:
                self._file.close()
                self._file = None
            self.is_leader = False


def first_fire_time(trigger: Any, now: datetime) -> datetime | None:
    """The trigger's first fire time not before ``now``.

    A CalendarIntervalTrigger starts at its anchor date, which may be long past; left alone,
    APScheduler would report it (and each later past date) as a missed run.
    """
    first = trigger.get_next_fire_time(None, now)
    for _ in range(100_000):
        if first is None or first >= now:
            break
        later = trigger.get_next_fire_time(first, now)
        if later is None:
            break
        first = later
    return first


class Scheduler:
    """Leader-gated jobs on an APScheduler 3.x BackgroundScheduler."""

    def __init__(self, engine: Engine) -> None:
        self.leadership = Leadership(engine)
        # coalesce: a job missed several times runs once; misfire_grace_time: a late job still
        # runs (the 1 s default would silently skip it); the services catch up on what was due.
        self.aps = BackgroundScheduler(
            timezone=UTC,
            job_defaults={"coalesce": True, "misfire_grace_time": 3600, "max_instances": 1},
        )

    def every(self, job_id: str, seconds: float, fn: Callable[[], Any]) -> None:
        """Run ``fn`` on the leader every ``seconds``."""
        self.aps.add_job(
            self._gated(job_id, fn), "interval", seconds=seconds, id=job_id, replace_existing=True
        )

    def on(self, job_id: str, trigger: Any, fn: Callable[..., Any], **kwargs: Any) -> None:
        """Run ``fn`` on the leader whenever ``trigger`` fires (from now on: what was due while
        the process was down is the services' catch-up, not APScheduler's)."""
        self.aps.add_job(
            self._gated(job_id, fn),
            trigger,
            id=job_id,
            kwargs=kwargs,
            replace_existing=True,
            next_run_time=first_fire_time(trigger, datetime.now(UTC)),
        )

    def _gated(self, job_id: str, fn: Callable[..., Any]) -> Callable[..., bool]:
        def run(**kwargs: Any) -> bool:
            """True when ``fn`` ran here (APScheduler hands it on as the event's retval)."""
            if not self.leadership.is_leader:
                return False
            try:
                fn(**kwargs)
            except Exception:
                log.exception("scheduled job %s failed", job_id)
            return True

        return run

    def start(self) -> None:
        self.leadership.check()
        self.aps.add_job(
            self.leadership.check,
            "interval",
            seconds=LEADER_CHECK_SECONDS,
            id="leadership",
            replace_existing=True,
        )
        self.aps.start()

    def stop(self) -> None:
        if self.aps.running:
            self.aps.shutdown(wait=True)
        self.leadership.release()
