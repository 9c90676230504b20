"""Scheduler leadership on PostgreSQL: one replica leads through an advisory lock; when it
loses its connection or stops leading, the lock is freed and another replica takes over."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from opsbot.db import SCHEDULER_LOCK_ID
from opsbot.testing.live import LiveBot


@pytest.fixture
def replicas(postgres_only: None, slack: Any, database_url: str) -> Iterator[list[LiveBot]]:
    """Two opsbot replicas on one PostgreSQL database, checking leadership ten times a second."""
    bots = [LiveBot(slack, database_url, OPSBOT_LEADER_CHECK_SECONDS=0.1) for _ in range(2)]
    for bot in bots:
        bot.start()
    yield bots
    for bot in bots:
        bot.stop()


def _admin(database_url: str) -> Any:
    url = make_url(database_url).set(database="postgres")
    return create_engine(url, isolation_level="AUTOCOMMIT")


def _lock_holders(database_url: str) -> list[int]:
    """The backends of this test's database holding the scheduler's advisory lock."""
    admin = _admin(database_url)
    with admin.connect() as conn:
        pids = conn.execute(
            text(
                "SELECT l.pid FROM pg_locks l JOIN pg_database d ON d.oid = l.database "
                "WHERE d.datname = :name AND l.locktype = 'advisory' AND l.granted "
                "AND l.objid = :key"
            ),
            {"name": make_url(database_url).database, "key": SCHEDULER_LOCK_ID},
        ).scalars()
        found = sorted(int(p) for p in pids)
    admin.dispose()
    return found


def _terminate(database_url: str, pid: int) -> None:
    admin = _admin(database_url)
    with admin.connect() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
    admin.dispose()


def _sole_leader(bots: list[LiveBot]) -> LiveBot | None:
    leading = [b for b in bots if b.bot is not None and b.bot.scheduler.leadership.is_leader]
    return leading[0] if len(leading) == 1 else None


def _lock_held_by_sole_leader(bots: list[LiveBot], database_url: str) -> int | None:
    """The backend pid of the one leader, when the lock is held by it and nobody else."""
    leader = _sole_leader(bots)
    if leader is None or leader.bot is None:
        return None
    pid = leader.bot.scheduler.leadership.backend_pid
    return pid if pid is not None and _lock_holders(database_url) == [pid] else None


def test_killing_the_leaders_connection_hands_leadership_to_a_replica(
    replicas, slack, database_url
) -> None:
    """pg_terminate_backend on the leader's connection frees the lock; a replica takes it on a
    connection of its own, and nobody else holds it."""
    killed = slack.wait_for(lambda: _lock_held_by_sole_leader(replicas, database_url))
    _terminate(database_url, killed)
    slack.wait_for(
        lambda: (_lock_held_by_sole_leader(replicas, database_url) or killed) != killed,
        timeout=10,
        message="no replica took over the scheduler",
    )


def test_a_leader_that_stops_leading_frees_the_lock_while_its_process_lives_on(
    replicas, slack, database_url
) -> None:
    """A replica whose scheduler stops (as at the start of a graceful shutdown) frees the lock
    at once, although its database engine and pool live on: the other replica takes over."""
    slack.wait_for(lambda: _lock_held_by_sole_leader(replicas, database_url))
    leader = _sole_leader(replicas)
    assert leader is not None and leader.bot is not None
    leader.bot.scheduler.stop()
    other = next(b for b in replicas if b is not leader)
    slack.wait_for(
        lambda: (
            _sole_leader(replicas) is other and _lock_held_by_sole_leader(replicas, database_url)
        ),
        timeout=10,
        message="the lock stayed with the replica that stopped leading",
    )
