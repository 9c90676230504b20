"""Idempotency keys: a retried batch gets the first answer back and stores nothing new."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from opsbot.telemetry import store

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
    """Take the key for this request (its record id), or what an earlier request left there."""
    inserted, row = store.claim_key(
        session, token_id=token_id, key=key, digest=digest, now=now, expired=now - KEEP
    )
    if inserted:
        return row.id, None
    return None, Seen(row.body_hash == digest, row.status, row.response)


def remember(session: Session, record_id: int, *, status: int, response: dict[str, Any]) -> None:
    """Keep the answer under the key, in the batch's own transaction."""
    store.remember_answer(session, record_id, status=status, response=response)


def prune(session: Session, *, now: datetime) -> int:
    """Forget keys older than KEEP; returns how many."""
    return store.forget_keys(session, created_before=now - KEEP)
