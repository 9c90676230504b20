"""Rollups written in the ingest's transaction, and the window reads the dashboard makes.

Confidence: each batch is archived as one row, and its scores are counted in Python into one
histogram per (tag, UTC day), which is added to that day's stored histogram (`add_to_days`).
Outcomes: `INSERT … ON CONFLICT DO UPDATE SET count = count + excluded.count` per (tag, hour,
version, outcome), so concurrent ingests add up instead of overwriting each other.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from operator import add
from typing import Any

from sqlalchemy import bindparam, case, func, insert, literal, tuple_, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from opsbot.telemetry.archive import EMPTY_COUNTS, pack_counts, pack_scores, unpack_counts
from opsbot.telemetry.histogram import CONFIDENCE_BUCKETS, Histogram
from opsbot.telemetry.schemas import ConfidenceIn, OutcomeIn
from opsbot.telemetry.store.tables import (
    ConfidenceArchive,
    ConfidenceDay,
    OutcomeRecord,
    OutcomeRollup,
)

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
_MICROSECOND = timedelta(microseconds=1)
_DAY_US = 86_400_000_000


def hour_of(at: datetime) -> datetime:
    """The UTC hour an outcome is rolled up in."""
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def day_of(at: datetime) -> datetime:
    """The UTC day (its midnight) a confidence score is rolled up in."""
    return at.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def _dialect_insert(session: Session, table: Any) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert  # type: ignore[assignment]
    return dialect_insert(table)


def _upsert(
    session: Session, model: Any, keys: list[str], adds: list[str], rows: list[dict[str, Any]]
) -> None:
    if not rows:
        return
    table = model.__table__
    stmt = _dialect_insert(session, table)
    stmt = stmt.on_conflict_do_update(
        index_elements=keys, set_={name: table.c[name] + stmt.excluded[name] for name in adds}
    )
    # sorted, so two transactions take the rows' locks in the same order (no deadlock)
    rows.sort(key=lambda row: tuple(row[k] for k in keys))
    session.connection().execute(stmt, rows)


def add_confidence(
    session: Session, records: Sequence[ConfidenceIn], *, received_at: datetime
) -> None:
    """Archive the batch's raw scores as one row and add them to the per-day histograms."""
    if not records:
        return
    tag_index: dict[str, int] = {}
    tag_ids = [tag_index.setdefault(record.tag, len(tag_index)) for record in records]
    # exact integer microseconds: aware datetimes subtract in UTC
    micros = [(record.at - EPOCH) // _MICROSECOND for record in records]
    scores = [record.score for record in records]
    top = CONFIDENCE_BUCKETS - 1
    # the schema keeps scores in [0, 1], so this is bucket_of without its checks
    buckets = [min(int(score * CONFIDENCE_BUCKETS), top) for score in scores]
    counted = Counter(zip([us // _DAY_US for us in micros], tag_ids, buckets, strict=True))
    tags = list(tag_index)
    histograms: dict[tuple[datetime, str], list[int]] = {}
    for (day, tag_id, bucket), count in counted.items():
        key = (EPOCH + DAY * day, tags[tag_id])
        counts = histograms.get(key)
        if counts is None:
            counts = histograms[key] = [0] * CONFIDENCE_BUCKETS
        counts[bucket] = count
    session.connection().execute(
        insert(ConfidenceArchive.__table__),  # type: ignore[attr-defined]
        {
            "received_at": received_at,
            "first_at": EPOCH + _MICROSECOND * min(micros),
            "last_at": EPOCH + _MICROSECOND * max(micros),
            "records": len(records),
            "payload": pack_scores(tags, tag_ids, micros, scores),
        },
    )
    add_to_days(session, histograms)


def add_to_days(session: Session, histograms: dict[tuple[datetime, str], list[int]]) -> None:
    """Add each {(day, tag): counts} to that day's stored histogram, creating it when new.

    Every key is first inserted empty (`ON CONFLICT DO NOTHING`: it waits for a concurrent
    insert of the same key to end), then all are read `FOR UPDATE`, added to and written
    back, each step in (day, tag) order: two transactions never wait on each other in a cycle.
    """
    if not histograms:
        return
    table = ConfidenceDay.__table__  # type: ignore[attr-defined]
    connection = session.connection()
    keys = sorted(histograms)
    connection.execute(
        _dialect_insert(session, table).on_conflict_do_nothing(),
        [{"day": day, "tag": tag, "scores": 0, "counts": EMPTY_COUNTS} for day, tag in keys],
    )
    # FOR UPDATE on PostgreSQL; on SQLite the insert above already made this the only writer
    current = connection.execute(
        sa_select(table.c.day, table.c.tag, table.c.counts)
        .where(tuple_(table.c.day, table.c.tag).in_(keys))
        .order_by(table.c.day, table.c.tag)
        .with_for_update()
    )
    changes = []
    for day, tag, packed in current:
        counts = list(map(add, unpack_counts(packed), histograms[(day, tag)]))
        changes.append({"d": day, "t": tag, "n": sum(counts), "c": pack_counts(counts)})
    if len(changes) != len(keys):
        raise RuntimeError("A confidence histogram vanished while it was being added to.")
    connection.execute(
        update(table)
        .where(table.c.day == bindparam("d"), table.c.tag == bindparam("t"))
        .values(scores=bindparam("n"), counts=bindparam("c")),
        changes,
    )


def add_outcomes(session: Session, records: Sequence[OutcomeIn]) -> None:
    """Store the raw outcomes and add them to the hourly counts and sums."""
    sums: dict[tuple[str, datetime, str, str], list[float]] = defaultdict(
        lambda: [0, 0, 0.0, 0.0, 0.0]
    )
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
        entry = sums[(record.tag, hour_of(at), record.version or "", record.outcome)]
        entry[0] += 1
        entry[2] += record.cost
        entry[3] += record.cost * record.cost
        if record.success:
            entry[1] += 1
            entry[4] += record.cost
    session.connection().execute(insert(OutcomeRecord.__table__), raw)  # type: ignore[attr-defined]
    _upsert(
        session,
        OutcomeRollup,
        ["tag", "hour", "version", "outcome"],
        ["count", "successes", "cost", "cost_squares", "success_cost"],
        [
            {
                "tag": t,
                "hour": h,
                "version": v,
                "outcome": o,
                "count": int(n),
                "successes": int(s),
                "cost": c,
                "cost_squares": c2,
                "success_cost": sc,
            }
            for (t, h, v, o), (n, s, c, c2, sc) in sums.items()
        ],
    )


def confidence_windows(session: Session, edges: Sequence[datetime]) -> dict[str, list[Histogram]]:
    """Per tag, the histogram of each window [edges[i+1], edges[i]) (whole UTC days, newest
    window first), from one read of the per-day histograms."""
    if any(edge != day_of(edge) for edge in edges):
        raise ValueError("Confidence windows start and end at UTC midnight.")
    if list(edges) != sorted(edges, reverse=True):
        raise ValueError("Window edges go from the newest to the oldest.")
    ascending = list(reversed(edges))
    windows = len(edges) - 1
    table = ConfidenceDay.__table__  # type: ignore[attr-defined]
    query = sa_select(table.c.day, table.c.tag, table.c.counts).where(
        table.c.day >= edges[-1], table.c.day < edges[0]
    )
    sums: dict[str, list[list[int] | None]] = {}
    for day, tag, packed in session.connection().execute(query):
        window = windows - bisect_right(ascending, day)  # 0 is the newest
        slots = sums.setdefault(tag, [None] * windows)
        counts = unpack_counts(packed)
        found = slots[window]
        slots[window] = list(counts) if found is None else list(map(add, found, counts))
    return {
        tag: [Histogram(counts) if counts is not None else Histogram() for counts in slots]
        for tag, slots in sums.items()
    }


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


@dataclass(frozen=True)
class OutcomeSums:
    """An arm's outcomes of one kind over a window, summed from the hourly rollups."""

    count: int
    successes: int
    cost: float
    cost_squares: float
    success_cost: float


def arm_sums(
    session: Session,
    *,
    by: str,
    arms: Sequence[str],
    tags: Sequence[str],
    start: datetime,
    end: datetime,
) -> dict[str, dict[str, OutcomeSums]]:
    """Per arm (a ``version`` or a ``tag``, as ``by`` says) and outcome, the sums of the hours
    in [start, end) among ``tags``: one grouped read of the rollups (experiments' arms)."""
    table = OutcomeRollup.__table__.c  # type: ignore[attr-defined]
    arm = table.version if by == "version" else table.tag
    query = (
        sa_select(
            arm,
            table.outcome,
            func.sum(table.count),
            func.sum(table.successes),
            func.sum(table.cost),
            func.sum(table.cost_squares),
            func.sum(table.success_cost),
        )
        .where(table.hour >= start, table.hour < end)
        .where(table.tag.in_(list(tags)), arm.in_(list(arms)))
        .group_by(arm, table.outcome)
    )
    found: dict[str, dict[str, OutcomeSums]] = {name: {} for name in arms}
    for (
        name,
        outcome,
        count,
        successes,
        cost,
        squares,
        success_cost,
    ) in session.connection().execute(query):
        found[name][outcome] = OutcomeSums(
            int(count), int(successes or 0), float(cost or 0), float(squares or 0),
            float(success_cost or 0),
        )  # fmt: skip
    return found
