"""Claiming outbox jobs: the oldest unfinished job of each lane, once, across workers.

On PostgreSQL the candidates are locked with FOR UPDATE SKIP LOCKED; on both databases the
claim itself is a conditional UPDATE, so two workers never hold the same job.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, or_, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from opsbot.db import transaction
from opsbot.outbox import IN_FLIGHT, PENDING, UNFINISHED, OutboxJob


def claim(
    engine: Engine, now: datetime, *, lease: timedelta, worker_id: str, batch: int
) -> list[int]:
    """Claim up to ``batch`` due jobs (one per lane) for ``lease``; returns their ids."""
    ahead = aliased(OutboxJob)
    earlier = select(ahead.id).where(  # an unfinished job ahead in the same lane
        col(ahead.lane) == col(OutboxJob.lane),
        col(ahead.id) < col(OutboxJob.id),
        col(ahead.status).in_((PENDING, IN_FLIGHT)),
    )
    due = or_(
        (col(OutboxJob.status) == PENDING) & (col(OutboxJob.next_attempt_at) <= now),
        (col(OutboxJob.status) == IN_FLIGHT) & (col(OutboxJob.lease_until) < now),
    )
    query = (
        select(OutboxJob.id)
        .where(due)
        .where(~earlier.exists())
        .order_by(col(OutboxJob.id))
        .limit(batch)
    )
    if engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=OutboxJob)
    claimed: list[int] = []
    with transaction(engine) as session:
        for job_id in session.exec(query).all():
            result = session.execute(
                update(OutboxJob)
                .where(col(OutboxJob.id) == job_id)
                .where(due)
                .values(
                    status=IN_FLIGHT, lease_until=now + lease, claimed_by=worker_id, updated_at=now
                )
            )
            if getattr(result, "rowcount", 0) == 1:
                claimed.append(int(job_id or 0))
    return claimed


def release(engine: Engine, job_id: int, *, at: datetime, error: str | None = None) -> None:
    """Give a claimed job back, due again at ``at``."""
    with transaction(engine) as session:
        job = session.get(OutboxJob, job_id)
        if job and job.status == IN_FLIGHT:
            job.status = PENDING
            job.next_attempt_at = at
            job.lease_until = None
            if error:
                job.error = error
            session.add(job)


def will_be_posted(engine: Engine, key: str) -> bool:
    """Whether an unfinished job is still to post the message keyed ``key``."""
    with Session(engine) as session:
        waiting = session.exec(
            select(OutboxJob.id).where(
                col(OutboxJob.posts_key) == key, col(OutboxJob.status).in_(UNFINISHED)
            )
        ).first()
    return waiting is not None
