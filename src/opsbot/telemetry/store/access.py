"""Who may call the ingest API and what it answered: tokens and idempotency records."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from opsbot.db import insert_ignore
from opsbot.telemetry.store.tables import ApiToken, IdempotencyRecord


def token_named(session: Session, name: str) -> ApiToken | None:
    """The token called ``name`` (revoked or not), or None."""
    return session.exec(select(ApiToken).where(ApiToken.name == name)).first()


def token_with_hash(session: Session, token_hash: str) -> ApiToken | None:
    """The token whose stored sha256 is ``token_hash``, or None."""
    return session.exec(select(ApiToken).where(ApiToken.token_hash == token_hash)).first()


def add_token(
    session: Session, *, name: str, token_hash: str, scopes: str, created_at: datetime
) -> ApiToken:
    """Store a new token (its hash only)."""
    row = ApiToken(name=name, token_hash=token_hash, scopes=scopes, created_at=created_at)
    session.add(row)
    session.flush()
    return row


def tokens(session: Session) -> Sequence[ApiToken]:
    """Every token, oldest first."""
    return session.exec(select(ApiToken).order_by(col(ApiToken.id))).all()


def claim_key(
    session: Session, *, token_id: int, key: str, digest: str, now: datetime, expired: datetime
) -> tuple[bool, IdempotencyRecord]:
    """Take a token's key for a request (True and the new record), or return what an earlier
    request left there (False and its record). A record created before ``expired`` frees its key.

    On PostgreSQL a second request with the same key waits on the unique index until the
    first one commits (then it sees the answer) or rolls back (then it takes the key).
    """
    # a write first (see dashboard.alerts.check_alerts): an expired record frees its key
    session.exec(
        delete(IdempotencyRecord).where(
            col(IdempotencyRecord.token_id) == token_id,
            col(IdempotencyRecord.key) == key,
            col(IdempotencyRecord.created_at) < expired,
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
    return inserted, row


def remember_answer(
    session: Session, record_id: int, *, status: int, response: dict[str, Any]
) -> None:
    """Keep the answer under its key, in the batch's own transaction."""
    row = session.get(IdempotencyRecord, record_id)
    assert row is not None
    row.status, row.response = status, response
    session.add(row)


def forget_keys(session: Session, *, created_before: datetime) -> int:
    """Delete every idempotency record created before ``created_before``; returns how many."""
    result = session.exec(
        delete(IdempotencyRecord).where(col(IdempotencyRecord.created_at) < created_before)
    )
    return int(result.rowcount or 0)
