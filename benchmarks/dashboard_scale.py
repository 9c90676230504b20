"""Dashboard computation time at 10 thousand, 100 thousand and 1 million confidence scores.

Each size gets a fresh database; the scores (4 tags, Beta-distributed, full float precision)
are spread over the dashboard's 35 days (the current week and the 28 days before) and stored
through the ingest service in batches of 10,000, so the archive and the per-day histograms are
what the API would write. Outcomes (10,000) and eval runs (20) are the same at every size. Then
`service.dashboard` (what `GET /api/v1/dashboard`, `/ops dashboard` and the act-check run) is
timed: the median of --repeats runs after one warm-up. Target: 1 million at most 2x the time
of 10 thousand.

    python benchmarks/dashboard_scale.py [--sizes 10000,100000,1000000] [--repeats 7]
                                         [--database-url postgresql+psycopg://…]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from opsbot.config import Config
from opsbot.dashboard import service
from opsbot.db import make_engine, transaction
from opsbot.telemetry.ingest import store_batch
from opsbot.telemetry.schemas import (
    CaseIn,
    ConfidenceBatch,
    ConfidenceIn,
    EvalRunIn,
    OutcomeBatch,
    OutcomeIn,
)

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _telemetry_db import fresh_database

TARGET_RATIO = 2.0
TAGS = ("refund-agent", "support-copilot", "triage-router", "intake-classifier")
SPAN = 35 * 86_400


def fill(url: str, size: int, now: datetime, seed: int = 3) -> None:
    rng = random.Random(seed)
    engine = make_engine(url)
    try:
        for start in range(0, size, 10_000):
            records = [
                ConfidenceIn(
                    at=now - timedelta(seconds=rng.uniform(0, SPAN)),
                    tag=rng.choice(TAGS),
                    score=rng.betavariate(8, 2),
                )
                for _ in range(min(10_000, size - start))
            ]
            with transaction(engine) as session:
                store_batch(session, ConfidenceBatch(records=records), now=now, eval_run_hooks=())
        outcomes = [
            OutcomeIn(
                at=now - timedelta(seconds=rng.uniform(0, SPAN)),
                tag=rng.choice(TAGS),
                outcome=rng.choice(["autonomous"] * 8 + ["overridden", "escalated"]),
                cost=rng.uniform(0.005, 0.03),
                success=rng.random() < 0.9,
            )
            for _ in range(10_000)
        ]
        with transaction(engine) as session:
            store_batch(session, OutcomeBatch(records=outcomes), now=now, eval_run_hooks=())
            for number in range(20):
                run = EvalRunIn(
                    suite=f"suite-{number % 4}",
                    tag="p",
                    run_id=f"r-{number}",
                    at=now - timedelta(days=number),
                    cases=[CaseIn(id=f"c{i}", passed=rng.random() < 0.97) for i in range(50)],
                )
                store_batch(session, run, now=now, eval_run_hooks=())
    finally:
        engine.dispose()


def time_dashboard(url: str, now: datetime, repeats: int) -> float:
    engine = make_engine(url)
    config = Config()
    try:
        timings = []
        for _ in range(repeats + 1):
            started = time.perf_counter()
            with transaction(engine) as session:
                board = service.dashboard(session, config, now=now)
            timings.append(time.perf_counter() - started)
        assert sum(e["n_current"] + e["n_baseline"] for e in board["drift"]) > 0
        return statistics.median(timings[1:])
    finally:
        engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    now = datetime.now(UTC)
    kind = "PostgreSQL" if args.database_url else "SQLite"
    results = {}
    for size in sizes:
        with fresh_database(args.database_url) as url:
            started = time.perf_counter()
            fill(url, size, now)
            filled = time.perf_counter() - started
            results[size] = time_dashboard(url, now, args.repeats)
        print(
            f"{kind}: {size:>9,} scores: dashboard {results[size] * 1000:7.1f} ms "
            f"(filled in {filled:.0f} s)",
            flush=True,
        )
    smallest, largest = results[sizes[0]], results[sizes[-1]]
    ratio = largest / smallest
    print(
        f"{kind}: {sizes[-1]:,} / {sizes[0]:,} = {ratio:.2f}x (target <= {TARGET_RATIO}x): "
        f"{'PASS' if ratio <= TARGET_RATIO else 'FAIL'}"
    )
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
