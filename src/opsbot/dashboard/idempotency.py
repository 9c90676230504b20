"""Idempotency keys: a retried batch gets the first answer back and stores nothing new."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from opsbot.dashboard.store import IdempotencyRecord
from opsbot.db import insert_ignore

KEEP = timedelta(hours=48)  # the contract promises at least 24 h
MAX_KEY = 255


@dataclass(frozen=True)
class Seen:
    """A key used before: the same body (replay its answer) or another one (409)."""

    same_body: bool
    status: int
    response: dict[str, Any]


def body_hash(path: str, body: bytes) -> str:
    """What a key is bound to: the endpoint and the exact bytes of the body."""
    return hashlib.sha256(path.encode() + b"\n" + body).hexdigest()


def claim(
    session: Session, *, token_id: int, key: str, digest: str, now: datetime
) -> tuple[int | None, Seen | None]:
    """Take the key for this request (its record id), or what an earlier request left there.

    On PostgreSQL a second request with the same key waits on the unique index until the
    first one commits (then it sees the answer) or rolls back (then it takes the key).
    """
    # a write first (see alerts.check_alerts): an expired record frees its key
    session.exec(
        delete(IdempotencyRecord).where(
            col(IdempotencyRecord.token_id) == token_id,
            col(IdempotencyRecord.key) == key,
            col(IdempotencyRecord.created_at) < now - KEEP,
        )
    )
    inserted = insert_ignore(
        session,
        IdempotencyRecord,
        {
            "token_id": token_id,
            "key": key,
            "body_hash": digest,
            "status": 0,
            "response": {},
            "created_at": now,
        },
    )
    row = session.exec(
        select(IdempotencyRecord).where(
            IdempotencyRecord.token_id == token_id, IdempotencyRecord.key == key
        )
    ).one()
    if inserted:
        return row.id, None
    return None, Seen(row.body_hash == digest, row.status, row.response)


def remember(session: Session, record_id: int, *, status: int, response: dict[str, Any]) -> None:
    """Keep the answer under the key, in the batch's own transaction."""
    row = session.get(IdempotencyRecord, record_id)
    assert row is not None
    row.status, row.response = status, response
    session.add(row)


def prune(session: Session, *, now: datetime) -> int:
    """Forget keys older than KEEP; returns how many."""
    result = session.exec(
        delete(IdempotencyRecord).where(col(IdempotencyRecord.created_at) < now - KEEP)
    )
    return int(result.rowcount or 0)
