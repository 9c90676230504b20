"""Rollup upserts (in the ingest's transaction) and the window reads the dashboard makes.

Upserts are `INSERT … ON CONFLICT DO UPDATE SET count = count + excluded.count` on the rollup's
primary key, so concurrent ingests on PostgreSQL add up instead of overwriting each other.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import case, func, insert, literal
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from opsbot.dashboard.histogram import CONFIDENCE_BUCKETS, Histogram
from opsbot.dashboard.schemas import ConfidenceIn, OutcomeIn
from opsbot.dashboard.store import (
    ConfidenceDailyRollup,
    ConfidenceRecord,
    ConfidenceRollup,
    OutcomeRecord,
    OutcomeRollup,
)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def hour_of(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def day_of(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def _upsert(
    session: Session, model: Any, keys: list[str], adds: list[str], rows: list[dict[str, Any]]
) -> None:
    if not rows:
        return
    table = model.__table__
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert  # type: ignore[assignment]
    stmt = dialect_insert(table)
    stmt = stmt.on_conflict_do_update(
        index_elements=keys, set_={name: table.c[name] + stmt.excluded[name] for name in adds}
    )
    # sorted, so two transactions take the rows' locks in the same order (no deadlock)
    rows.sort(key=lambda row: tuple(row[k] for k in keys))
    session.connection().execute(stmt, rows)


def add_confidence(session: Session, records: Sequence[ConfidenceIn]) -> None:
    """Store the raw scores and add them to the hourly and daily histograms."""
    by_hour: Counter[tuple[str, int, int]] = Counter()  # (tag, hours since epoch, bucket)
    raw = []
    for record in records:
        raw.append({"tag": record.tag, "at": record.at, "score": record.score})
        # the schema keeps scores in [0, 1], so this is bucket_of without its checks
        bucket = min(int(record.score * CONFIDENCE_BUCKETS), CONFIDENCE_BUCKETS - 1)
        by_hour[(record.tag, int(record.at.timestamp()) // 3600, bucket)] += 1
    hours = {n: EPOCH + HOUR * n for n in {key[1] for key in by_hour}}
    hourly = {(tag, hours[n], bucket): count for (tag, n, bucket), count in by_hour.items()}
    daily: Counter[tuple[str, datetime, int]] = Counter()
    for (tag, hour, bucket), count in hourly.items():
        daily[(tag, day_of(hour), bucket)] += count
    session.connection().execute(insert(ConfidenceRecord.__table__), raw)  # type: ignore[attr-defined]
    _upsert(
        session,
        ConfidenceRollup,
        ["tag", "hour", "bucket"],
        ["count"],
        [{"tag": t, "hour": h, "bucket": b, "count": n} for (t, h, b), n in hourly.items()],
    )
    _upsert(
        session,
        ConfidenceDailyRollup,
        ["tag", "day", "bucket"],
        ["count"],
        [{"tag": t, "day": d, "bucket": b, "count": n} for (t, d, b), n in daily.items()],
    )


def add_outcomes(session: Session, records: Sequence[OutcomeIn]) -> None:
    """Store the raw outcomes and add them to the hourly counts and cost sums."""
    sums: dict[tuple[str, datetime, str], list[float]] = defaultdict(lambda: [0, 0, 0.0])
    raw = []
    for record in records:
        at = record.at.astimezone(UTC)
        raw.append(
            {
                "tag": record.tag,
                "at": at,
                "outcome": record.outcome,
                "cost": record.cost,
                "success": record.success,
            }
        )
        entry = sums[(record.tag, hour_of(at), record.outcome)]
        entry[0] += 1
        entry[1] += 1 if record.success else 0
        entry[2] += record.cost
    session.connection().execute(insert(OutcomeRecord.__table__), raw)  # type: ignore[attr-defined]
    _upsert(
        session,
        OutcomeRollup,
        ["tag", "hour", "outcome"],
        ["count", "successes", "cost"],
        [
            {"tag": t, "hour": h, "outcome": o, "count": int(n), "successes": int(s), "cost": c}
            for (t, h, o), (n, s, c) in sums.items()
        ],
    )


def confidence_window(session: Session, start: datetime, end: datetime) -> dict[str, Histogram]:
    """Each tag's histogram of the scores in [start, end): whole days from the daily rollup,
    the hours at either edge from the hourly one."""
    first_day, last_day = day_of(start + DAY - timedelta(microseconds=1)), day_of(end)
    counts: dict[str, list[int]] = defaultdict(lambda: [0] * CONFIDENCE_BUCKETS)
    parts: list[tuple[Any, Any, datetime, datetime]] = []
    if first_day < last_day:
        parts.append((ConfidenceDailyRollup, ConfidenceDailyRollup.day, first_day, last_day))
        edges = [(start, first_day), (last_day, end)]
    else:
        edges = [(start, end)]
    for low, high in edges:
        if low < high:
            parts.append((ConfidenceRollup, ConfidenceRollup.hour, low, high))
    for model, column, low, high in parts:
        query = (
            select(model.tag, model.bucket, func.sum(model.count))
            .where(col(column) >= low, col(column) < high)
            .group_by(model.tag, model.bucket)
        )
        for tag, bucket, total in session.exec(query):
            counts[tag][bucket] += int(total)
    return {tag: Histogram(bucket_counts) for tag, bucket_counts in counts.items()}


OutcomeTotals = dict[str, dict[str, float]]  # outcome -> {"count", "successes", "cost"}


def outcome_windows(session: Session, edges: Sequence[datetime]) -> dict[str, list[OutcomeTotals]]:
    """Per tag, the outcome totals of each window [edges[i+1], edges[i]), newest window first."""
    index = case(
        *((col(OutcomeRollup.hour) >= edges[i + 1], literal(i)) for i in range(len(edges) - 1)),
        else_=literal(-1),
    ).label("window")
    table = OutcomeRollup.__table__.c  # type: ignore[attr-defined]
    query = (
        sa_select(
            table.tag,
            index,
            table.outcome,
            func.sum(table.count),
            func.sum(table.successes),
            func.sum(table.cost),
        )
        .where(table.hour >= edges[-1], table.hour < edges[0])
        .group_by(table.tag, index, table.outcome)
    )
    windows = len(edges) - 1
    result: dict[str, list[OutcomeTotals]] = {}
    for tag, window, outcome, count, successes, cost in session.connection().execute(query):
        if window < 0:
            continue
        slots = result.setdefault(tag, [{} for _ in range(windows)])
        slots[window][outcome] = {
            "count": int(count),
            "successes": int(successes or 0),
            "cost": float(cost or 0.0),
        }
    return result


def tags_seen(session: Session) -> Iterable[str]:
    """Every tag with confidence or outcome rollups."""
    found = set(session.exec(select(ConfidenceDailyRollup.tag).distinct()))
    found.update(session.exec(select(OutcomeRollup.tag).distinct()))
    return sorted(found)
