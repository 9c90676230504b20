"""confidence archive and day histograms

Raw confidence scores move from one row per score to one row per batch (confidence_archive),
and the hourly and per-bucket daily rollups become one packed histogram per (day, tag)
(confidence_day). Existing data is carried over both ways. The encodings are copied here from
opsbot.telemetry.archive (OPSC1 payloads, 1,000 int64 counts), so this migration keeps working
whatever later code does.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 22:42:56.232281
"""

import json
import struct
import sys
from array import array
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
import sqlmodel
from alembic import op

import opsbot.db

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BUCKETS = 1000
CHUNK = 10_000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MAGIC = b"OPSC1"
SWAP = sys.byteorder != "little"

record_t = sa.table(
    "confidence_record",
    sa.column("id", sa.BigInteger()),
    sa.column("tag", sa.String()),
    sa.column("at", opsbot.db.UTCDateTime()),
    sa.column("score", sa.Float()),
)
hourly_t = sa.table(
    "confidence_rollup",
    sa.column("hour", opsbot.db.UTCDateTime()),
    sa.column("tag", sa.String()),
    sa.column("bucket", sa.Integer()),
    sa.column("count", sa.BigInteger()),
)
daily_t = sa.table(
    "confidence_daily_rollup",
    sa.column("day", opsbot.db.UTCDateTime()),
    sa.column("tag", sa.String()),
    sa.column("bucket", sa.Integer()),
    sa.column("count", sa.BigInteger()),
)
archive_t = sa.table(
    "confidence_archive",
    sa.column("id", sa.BigInteger()),
    sa.column("received_at", opsbot.db.UTCDateTime()),
    sa.column("first_at", opsbot.db.UTCDateTime()),
    sa.column("last_at", opsbot.db.UTCDateTime()),
    sa.column("records", sa.Integer()),
    sa.column("payload", sa.LargeBinary()),
)
day_t = sa.table(
    "confidence_day",
    sa.column("day", opsbot.db.UTCDateTime()),
    sa.column("tag", sa.String()),
    sa.column("scores", sa.BigInteger()),
    sa.column("counts", sa.LargeBinary()),
)


def _le(column: array) -> array:
    if SWAP:
        column.byteswap()
    return column


def _pack_counts(counts: Sequence[int]) -> bytes:
    return _le(array("q", counts)).tobytes()


def _unpack_counts(payload: bytes) -> array:
    counts = array("q")
    counts.frombytes(payload)
    return _le(counts)


def _pack_scores(rows: Sequence[tuple[str, datetime, float]]) -> bytes:
    tags: dict[str, int] = {}
    ids = array("H", [tags.setdefault(tag, len(tags)) for tag, _, _ in rows])
    micros = array("q", [(at - EPOCH) // timedelta(microseconds=1) for _, at, _ in rows])
    scores = array("d", [score for _, _, score in rows])
    names = json.dumps(list(tags), ensure_ascii=False).encode()
    header = MAGIC + struct.pack("<II", len(rows), len(names)) + names
    return header + b"".join(_le(c).tobytes() for c in (ids, micros, scores))


def _unpack_scores(payload: bytes) -> list[tuple[str, datetime, float]]:
    view = memoryview(payload)
    n, size = struct.unpack_from("<II", view, len(MAGIC))
    offset = len(MAGIC) + 8
    tags = json.loads(bytes(view[offset : offset + size]))
    offset += size
    columns = []
    for code in ("H", "q", "d"):
        column = array(code)
        column.frombytes(view[offset : offset + n * column.itemsize])
        offset += n * column.itemsize
        columns.append(_le(column))
    return [
        (tags[t], EPOCH + timedelta(microseconds=us), s) for t, us, s in zip(*columns, strict=True)
    ]


def _bucket(score: float) -> int:
    return min(int(score * BUCKETS), BUCKETS - 1)


def upgrade() -> None:
    op.create_table(
        "confidence_archive",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("received_at", opsbot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("first_at", opsbot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_at", opsbot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("confidence_archive", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_confidence_archive_first_at"), ["first_at"], unique=False
        )

    op.create_table(
        "confidence_day",
        sa.Column("day", opsbot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("tag", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("scores", sa.BigInteger(), nullable=False),
        sa.Column("counts", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("day", "tag"),
    )
    _carry_over_to_archive_and_days()
    op.drop_table("confidence_daily_rollup")
    op.drop_table("confidence_rollup")
    op.drop_table("confidence_record")


def _carry_over_to_archive_and_days() -> None:
    conn = op.get_bind()
    histograms: dict[tuple[datetime, str], list[int]] = defaultdict(lambda: [0] * BUCKETS)
    query = sa.select(daily_t.c.day, daily_t.c.tag, daily_t.c.bucket, daily_t.c.count)
    for day, tag, bucket, count in conn.execute(query):
        histograms[(day, tag)][bucket] += int(count)
    rows = [
        {"day": day, "tag": tag, "scores": sum(counts), "counts": _pack_counts(counts)}
        for (day, tag), counts in sorted(histograms.items())
    ]
    for start in range(0, len(rows), 500):
        conn.execute(sa.insert(day_t), rows[start : start + 500])
    now, last = datetime.now(UTC), None
    while True:  # the raw rows in batches of 10,000, in the order they were stored
        query = sa.select(record_t.c.id, record_t.c.tag, record_t.c.at, record_t.c.score)
        if last is not None:
            query = query.where(record_t.c.id > last)
        found = conn.execute(query.order_by(record_t.c.id).limit(CHUNK)).all()
        if not found:
            return
        last = found[-1][0]
        scores = [(tag, at, score) for _, tag, at, score in found]
        conn.execute(
            sa.insert(archive_t),
            {
                "received_at": now,
                "first_at": min(at for _, at, _ in scores),
                "last_at": max(at for _, at, _ in scores),
                "records": len(scores),
                "payload": _pack_scores(scores),
            },
        )


def downgrade() -> None:
    op.create_table(
        "confidence_daily_rollup",
        sa.Column("day", opsbot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("tag", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("bucket", sa.Integer(), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("day", "tag", "bucket"),
    )
    op.create_table(
        "confidence_record",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("tag", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("at", opsbot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "confidence_rollup",
        sa.Column("hour", opsbot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("tag", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("bucket", sa.Integer(), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("hour", "tag", "bucket"),
    )
    _carry_back_to_rows()
    op.drop_table("confidence_day")
    with op.batch_alter_table("confidence_archive", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_confidence_archive_first_at"))
    op.drop_table("confidence_archive")


def _carry_back_to_rows() -> None:
    conn = op.get_bind()
    for day, tag, packed in conn.execute(sa.select(day_t.c.day, day_t.c.tag, day_t.c.counts)):
        rows = [
            {"day": day, "tag": tag, "bucket": bucket, "count": count}
            for bucket, count in enumerate(_unpack_counts(packed))
            if count
        ]
        if rows:
            conn.execute(sa.insert(daily_t), rows)
    hourly: Counter[tuple[datetime, str, int]] = Counter()
    ids = conn.execute(sa.select(archive_t.c.id).order_by(archive_t.c.id)).scalars().all()
    for archive_id in ids:  # one batch in memory at a time
        payload = conn.execute(
            sa.select(archive_t.c.payload).where(archive_t.c.id == archive_id)
        ).scalar_one()
        scores = _unpack_scores(payload)
        conn.execute(sa.insert(record_t), [{"tag": t, "at": at, "score": s} for t, at, s in scores])
        for tag, at, score in scores:
            hour = at.replace(minute=0, second=0, microsecond=0)
            hourly[(hour, tag, _bucket(score))] += 1
    rows = [{"hour": h, "tag": t, "bucket": b, "count": n} for (h, t, b), n in hourly.items()]
    for start in range(0, len(rows), CHUNK):
        conn.execute(sa.insert(hourly_t), rows[start : start + CHUNK])
