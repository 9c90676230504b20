"""Claiming outbox jobs, fenced: the oldest unfinished job of each lane, once, across workers.

On PostgreSQL the candidates are locked with FOR UPDATE SKIP LOCKED; on both databases the
claim itself is a conditional UPDATE that raises the job's claim token. Every later write by
the claimer names the token it got, so a worker whose lease ran out and whose job was claimed
again writes nothing more (it learns so from ``LostClaim``).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, or_, tuple_, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from opsbot.db import transaction
from opsbot.outbox import IN_FLIGHT, PENDING, UNFINISHED, OutboxJob


@dataclass(frozen=True)
class Claim:
    """A job held by one worker: valid while the job still carries ``token``. ``takeover``:
    it was claimed from a worker whose lease ran out (whose call may still be under way)."""

    job_id: int
    token: int
    takeover: bool = False
    last_written: datetime | None = None  # on a takeover: the last worker's last write


class LostClaim(Exception):
    """Another worker claimed the job since (this worker's lease ran out): hands off."""

    def __init__(self, claim: Claim) -> None:
        super().__init__(f"outbox job {claim.job_id} was claimed again (token {claim.token})")
        self.claim = claim


def _due(now: datetime) -> Any:
    return or_(
        (col(OutboxJob.status) == PENDING) & (col(OutboxJob.next_attempt_at) <= now),
        (col(OutboxJob.status) == IN_FLIGHT) & (col(OutboxJob.lease_until) < now),
    )


def _first_in_lane() -> Any:
    ahead = aliased(OutboxJob)
    earlier = select(ahead.id).where(  # an unfinished job ahead in the same lane
        col(ahead.lane) == col(OutboxJob.lane),
        col(ahead.id) < col(OutboxJob.id),
        col(ahead.status).in_(UNFINISHED),
    )
    return ~earlier.exists()


def claim(
    engine: Engine,
    now: datetime,
    *,
    lease: timedelta,
    worker_id: str,
    limit: int,
    skip: Collection[int] = (),
) -> list[Claim]:
    """Claim up to ``limit`` due jobs (the first of each lane) for ``lease``; never those in
    ``skip`` (the jobs this worker holds already, even if their lease lapsed meanwhile)."""
    if limit <= 0:
        return []
    due = _due(now)
    query = (
        select(OutboxJob.id, OutboxJob.status, OutboxJob.updated_at)
        .where(due)
        .where(_first_in_lane())
        .order_by(col(OutboxJob.id))
        .limit(limit)
    )
    if skip:
        query = query.where(col(OutboxJob.id).not_in(list(skip)))
    if engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=OutboxJob)
    claimed: list[Claim] = []
    with transaction(engine) as session:
        for job_id, status, written in session.exec(query).all():
            token = session.execute(
                update(OutboxJob)
                .where(col(OutboxJob.id) == job_id, due, _first_in_lane())
                .values(
                    status=IN_FLIGHT,
                    lease_until=now + lease,
                    claimed_by=worker_id,
                    claim_token=col(OutboxJob.claim_token) + 1,
                    updated_at=now,
                )
                .returning(col(OutboxJob.claim_token))
            ).scalar()
            if token is not None:
                takeover = status == IN_FLIGHT
                claimed.append(
                    Claim(int(job_id or 0), int(token), takeover, written if takeover else None)
                )
    return claimed


def fenced(session: Session, claim: Claim, **values: Any) -> None:
    """Write ``values`` to the claimed job in the caller's transaction, first of all its
    writes; ``LostClaim`` (and so a rollback) when the claim is no longer this worker's."""
    result = session.execute(
        update(OutboxJob)
        .where(
            col(OutboxJob.id) == claim.job_id,
            col(OutboxJob.claim_token) == claim.token,
            col(OutboxJob.status) == IN_FLIGHT,
        )
        .values(**values)
    )
    if getattr(result, "rowcount", 0) != 1:
        raise LostClaim(claim)


def renew(engine: Engine, claims: list[Claim], *, until: datetime) -> list[Claim]:
    """Extend the lease of every claim still held, in one statement; returns those lost."""
    if not claims:
        return []
    held = [(c.job_id, c.token) for c in claims]
    with transaction(engine) as session:
        renewed = set(
            session.execute(
                update(OutboxJob)
                .where(
                    tuple_(col(OutboxJob.id), col(OutboxJob.claim_token)).in_(held),
                    col(OutboxJob.status) == IN_FLIGHT,
                )
                .values(lease_until=until)
                .returning(col(OutboxJob.id))
            ).scalars()
        )
    return [c for c in claims if c.job_id not in renewed]


def release(
    engine: Engine, claim: Claim, *, at: datetime, error: str | None = None, now: datetime
) -> None:
    """Give a claimed job back, due again at ``at``."""
    values: dict[str, Any] = {
        "status": PENDING,
        "next_attempt_at": at,
        "lease_until": None,
        "updated_at": now,
    }
    if error:
        values["error"] = error
    with transaction(engine) as session:
        fenced(session, claim, **values)


def will_be_posted(engine: Engine, key: str) -> bool:
    """Whether an unfinished job is still to post the message keyed ``key``."""
    with Session(engine) as session:
        waiting = session.exec(
            select(OutboxJob.id).where(
                col(OutboxJob.posts_key) == key, col(OutboxJob.status).in_(UNFINISHED)
            )
        ).first()
    return waiting is not None
