"""Stuck Slack work, as an operator sees and handles it: the jobs still waiting and those that
failed, each with its last error; sending one again now; giving up on one.

Retry and drop are conditional updates that raise the claim token, so they are safe against a
worker claiming the job at the same moment (and fence out one whose lease ran out).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, update
from sqlmodel import Session, col, select

from opsbot.errors import NotFound, OpsError
from opsbot.outbox import (
    DONE,
    DROPPED,
    FAILED,
    IN_FLIGHT,
    LANE_KINDS,
    OTHER_LANES,
    PENDING,
    SUPERSEDED,
    UNFINISHED,
    OutboxJob,
    lane_kind,
)

RETRYABLE = (PENDING, FAILED, DROPPED)  # and in flight with a lease that ran out
DROPPABLE = (PENDING, FAILED, IN_FLIGHT)  # a worker holding it is fenced out


@dataclass(frozen=True)
class Listing:
    """What `opsbot outbox` shows: waiting jobs oldest first, then failed ones newest first."""

    waiting: list[OutboxJob]
    failed: list[OutboxJob]
    failed_total: int


def listing(session: Session, *, failed_limit: int | None = 20) -> Listing:
    waiting = list(
        session.exec(
            select(OutboxJob)
            .where(col(OutboxJob.status).in_(UNFINISHED))
            .order_by(col(OutboxJob.id))
        )
    )
    query = (
        select(OutboxJob).where(col(OutboxJob.status) == FAILED).order_by(col(OutboxJob.id).desc())
    )
    if failed_limit is not None:
        query = query.limit(failed_limit)
    failed = list(session.exec(query))
    total = session.exec(
        select(func.count()).select_from(OutboxJob).where(col(OutboxJob.status) == FAILED)
    ).one()
    return Listing(waiting, failed, int(total))


def _load(session: Session, job_id: int) -> OutboxJob:
    job = session.get(OutboxJob, job_id)
    if job is None:
        raise NotFound(
            f"There is no outbox job {job_id}.", hint="`opsbot outbox` lists the jobs by id."
        )
    return job


def _refusal(job: OutboxJob, now: datetime, action: str) -> OpsError:
    if job.status == IN_FLIGHT:
        return OpsError(
            f"Job {job.id} is being sent right now by {job.claimed_by}.",
            hint=f"Wait until it is done or failed, then {action} it if it still needs it.",
        )
    why = {
        DONE: "was sent already",
        SUPERSEDED: "was replaced by a newer edit of the same message",
        DROPPED: "was dropped already",
        FAILED: "has failed",
        PENDING: "is waiting",
    }.get(job.status, f"is {job.status}")
    return OpsError(
        f"Job {job.id} {why}; there is nothing to {action}.",
        hint="`opsbot outbox` lists the jobs waiting or failed.",
    )


def _change(
    session: Session, job_id: int, now: datetime, allowed: tuple[str, ...], **values: Any
) -> bool:
    expired = (col(OutboxJob.status) == IN_FLIGHT) & (col(OutboxJob.lease_until) < now)
    result = session.execute(
        update(OutboxJob)
        .where(col(OutboxJob.id) == job_id, or_(col(OutboxJob.status).in_(allowed), expired))
        .values(
            claim_token=col(OutboxJob.claim_token) + 1,
            lease_until=None,
            updated_at=now,
            **values,
        )
    )
    return getattr(result, "rowcount", 0) == 1


def retry(session: Session, job_id: int, *, now: datetime) -> OutboxJob:
    """Send a failed, dropped or waiting job again now, with a fresh count of attempts."""
    job = _load(session, job_id)
    if not _change(
        session, job_id, now, RETRYABLE, status=PENDING, attempts=0, next_attempt_at=now
    ):
        session.refresh(job)
        raise _refusal(job, now, "retry")
    session.refresh(job)
    return job


def drop(session: Session, job_id: int, *, now: datetime) -> tuple[OutboxJob, bool]:
    """Give up on a waiting, failed or in-flight job: nothing more is sent for it, and its
    lane moves on. Also says whether an attempt was under way (it may still reach Slack)."""
    job = _load(session, job_id)
    was_sending = job.status == IN_FLIGHT
    if not _change(session, job_id, now, DROPPABLE, status=DROPPED):
        session.refresh(job)
        raise _refusal(job, now, "drop")
    session.refresh(job)
    return job, was_sending


def oldest_waiting(session: Session, now: datetime) -> dict[str, float]:
    """Seconds the oldest unsent job of each lane kind has waited (0 when none waits)."""
    ages = dict.fromkeys((*LANE_KINDS, OTHER_LANES), 0.0)
    rows = session.exec(
        select(OutboxJob.lane, func.min(OutboxJob.created_at))
        .where(col(OutboxJob.status).in_(UNFINISHED))
        .group_by(col(OutboxJob.lane))
    ).all()
    for lane, created in rows:
        kind = lane_kind(lane)
        ages[kind] = max(ages[kind], (now - created).total_seconds())
    return ages


def failed_by_kind(session: Session) -> dict[str, int]:
    """How many failed jobs wait for an operator, by lane kind."""
    counts = dict.fromkeys((*LANE_KINDS, OTHER_LANES), 0)
    rows = session.exec(
        select(OutboxJob.lane, func.count())
        .where(col(OutboxJob.status) == FAILED)
        .group_by(col(OutboxJob.lane))
    ).all()
    for lane, count in rows:
        counts[lane_kind(lane)] += int(count)
    return counts
