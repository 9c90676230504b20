"""Plain helpers for driving the ingest API over loopback HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from opsbot.telemetry import tokens


def make_token(bot: Any, *scopes: str, name: str = "ci") -> str:
    """A fresh bearer token with ``scopes`` (as `opsbot token create` makes it)."""
    with bot.ctx.tx() as session:
        return tokens.create(session, name=name, scopes=list(scopes), now=datetime.now(UTC))


def post(
    bot: Any,
    path: str,
    body: Any,
    token: str | None,
    *,
    key: str | None = None,
    raw: bytes | None = None,
) -> httpx.Response:
    """POST a JSON body (or raw bytes) to /api/v1/<path> with the token and idempotency key."""
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    if key is not None:
        headers["Idempotency-Key"] = key
    content = raw if raw is not None else httpx.Request("POST", "/", json=body).content
    return httpx.post(f"{bot.url}/api/v1/{path}", content=content, headers=headers, timeout=30)


def get_dashboard(bot: Any, token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return httpx.get(f"{bot.url}/api/v1/dashboard", headers=headers, timeout=30)


def ago(**delta: float) -> str:
    """An ISO 8601 time with offset, ``delta`` before now."""
    return (datetime.now(UTC) - timedelta(**delta)).isoformat()


def scores(tag: str, values: list[float], *, days_ago: float) -> list[dict[str, Any]]:
    return [{"at": ago(days=days_ago), "tag": tag, "score": v} for v in values]


def outcomes(
    tag: str, counts: dict[str, int], *, days_ago: float, cost: float = 0.01, success: bool = True
) -> list[dict[str, Any]]:
    return [
        {"at": ago(days=days_ago), "tag": tag, "outcome": outcome, "cost": cost, "success": success}
        for outcome, n in counts.items()
        for _ in range(n)
    ]


def count_rows(bot: Any, model: Any) -> int:
    """How many rows ``model``'s table holds in the bot's database."""
    from sqlalchemy import func
    from sqlmodel import Session, select

    with Session(bot.ctx.engine) as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def stored_scores(bot: Any) -> int:
    """How many confidence scores the archived batches hold in the bot's database."""
    from sqlalchemy import func
    from sqlmodel import Session, select

    from opsbot.telemetry.store import ConfidenceArchive

    with Session(bot.ctx.engine) as session:
        return int(
            session.exec(select(func.coalesce(func.sum(ConfidenceArchive.records), 0))).one()
        )


def day_histograms(bot: Any) -> dict[tuple[str, str], dict[int, int]]:
    """Every stored per-day histogram: {(day as YYYY-MM-DD, tag): {bucket: count}}."""
    from sqlmodel import Session, select

    from opsbot.telemetry.archive import unpack_counts
    from opsbot.telemetry.store import ConfidenceDay

    with Session(bot.ctx.engine) as session:
        rows = session.exec(select(ConfidenceDay)).all()
    found = {}
    for row in rows:
        counts = unpack_counts(row.counts)
        assert row.scores == sum(counts)
        found[(row.day.date().isoformat(), row.tag)] = {b: n for b, n in enumerate(counts) if n}
    return found


LEAKS = ("Traceback", "SELECT", "INSERT", "sqlalchemy", "psycopg", "sqlite3", "opsb_", 'File "')


def assert_no_leak(text: str, *secrets: str) -> None:
    """An error body carries no traceback, SQL, driver name or token."""
    for needle in (*LEAKS, *secrets):
        assert needle not in text, f"{needle!r} leaked into {text!r}"
