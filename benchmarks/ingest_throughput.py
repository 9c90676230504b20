"""Ingest throughput: confidence scores through the HTTP API against a plain bulk insert.

opsbot (LiveBot: uvicorn, Starlette, the ingest API) runs in-process against the Slack
stand-in. The scores span the last --hours hours, 4 tags, in time order as a live client
sends them (--scattered: random order, a backfill). The API run POSTs --records scores in
batches of --batch records, one after another on one keep-alive connection; each batch is
validated, archived raw (one row per batch), added to the per-(day, tag) histograms in the
same transaction, and answered (the act-check runs after each answer). The baseline inserts
the same rows, one row per score (id, tag, at, score: the table opsbot used to keep its raw
scores in), into a fresh database of the same kind with one executemany per batch and a commit
per batch: no HTTP, no validation, no rollups. Target: the API at least half the baseline's
records per second.

    python benchmarks/ingest_throughput.py [--records 200000] [--batch 10000] [--hours 24]
                                           [--scattered] [--database-url postgresql+psycopg://…]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import BigInteger, Column, Float, Integer, MetaData, String, Table, insert

from opsbot.db import UTCDateTime, make_engine, transaction
from opsbot.telemetry import tokens
from opsbot.testing import FakeSlack
from opsbot.testing.live import BOT_TOKEN, SIGNING_SECRET, LiveBot

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent))
from _telemetry_db import fresh_database

TARGET_RATIO = 0.5
TAGS = ("refund-agent", "support-copilot", "triage-router", "intake-classifier")

# The baseline's table: one row per score, as opsbot's raw table was before migration 0006.
PLAIN = Table(
    "bench_confidence_row",
    MetaData(),
    Column(
        "id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("tag", String(100), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    Column("score", Float, nullable=False),
)


def batches(
    records: int, size: int, *, hours: float, scattered: bool, seed: int = 1
) -> list[list[dict[str, Any]]]:
    """Scores over the last ``hours``: in time order as a live stream sends them, or, with
    ``scattered``, in random order (a backfill: nearly every score its own rollup row)."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    span = hours * 3600
    offsets = [rng.uniform(0, span) for _ in range(records)]
    if not scattered:
        offsets.sort(reverse=True)
    rows = [
        {
            "at": (now - timedelta(seconds=offset)).isoformat(),
            "tag": rng.choice(TAGS),
            "score": rng.betavariate(8, 2),
        }
        for offset in offsets
    ]
    return [rows[i : i + size] for i in range(0, records, size)]


def through_api(url: str, chunks: list[list[dict[str, Any]]]) -> float:
    slack = FakeSlack(signing_secret=SIGNING_SECRET, bot_token=BOT_TOKEN).start()
    live = LiveBot(slack, url).start()
    try:
        with live.ctx.tx() as session:
            token = tokens.create(session, name="bench", scopes=["ingest"], now=datetime.now(UTC))
        bodies = [json.dumps({"records": chunk}).encode() for chunk in chunks]
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        with httpx.Client(base_url=live.url, headers=headers, timeout=120) as client:
            started = time.perf_counter()
            for body in bodies:
                response = client.post("/api/v1/confidence", content=body)
                assert response.status_code == 201, response.text
            return time.perf_counter() - started
    finally:
        live.stop()
        slack.stop()


def bulk_insert(url: str, chunks: list[list[dict[str, Any]]]) -> float:
    engine = make_engine(url)
    rows = [
        [
            {"tag": r["tag"], "at": datetime.fromisoformat(r["at"]), "score": r["score"]}
            for r in chunk
        ]
        for chunk in chunks
    ]
    PLAIN.create(engine)
    try:
        started = time.perf_counter()
        for chunk in rows:
            with transaction(engine) as session:
                session.connection().execute(insert(PLAIN), chunk)
        return time.perf_counter() - started
    finally:
        engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument(
        "--hours",
        type=float,
        default=24.0,
        help="the scores span this many hours before now (default 24)",
    )
    parser.add_argument(
        "--scattered",
        action="store_true",
        help="random order across the span (a backfill) instead of time order",
    )
    args = parser.parse_args()
    chunks = batches(args.records, args.batch, hours=args.hours, scattered=args.scattered)
    with fresh_database(args.database_url) as url:
        api = through_api(url, chunks)
    with fresh_database(args.database_url) as url:
        bulk = bulk_insert(url, chunks)
    kind = "PostgreSQL" if args.database_url else "SQLite"
    ratio = bulk / api
    order = "scattered" if args.scattered else "in time order"
    print(f"{kind}: {args.records} scores over {args.hours:g} h ({order}), batches of {args.batch}")
    print(f"  API:         {api:6.2f} s  {args.records / api:9,.0f} records/s")
    print(f"  bulk insert: {bulk:6.2f} s  {args.records / bulk:9,.0f} records/s")
    print(
        f"  API / bulk:  {ratio:.2f} of the baseline's speed "
        f"(target >= {TARGET_RATIO}): {'PASS' if ratio >= TARGET_RATIO else 'FAIL'}"
    )
    return 0 if ratio >= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
