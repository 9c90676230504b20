"""Judging an experiment at 10 thousand, 100 thousand and 1 million outcomes (10 million on
request): the arms' totals come from the hourly rollups, so the time should hardly grow.

Each size gets a fresh database; the outcomes of two versions of one surface (plus a third
version and another tag, which the judgment must leave out) are spread over 28 days and stored
through the ingest service in batches of 10,000. An experiment registered 28 days ago is then
judged (`evaluating.judgment_now`: what the daily look and each ingest run per experiment):
the median of --repeats runs after one warm-up. Target: the largest size at most 2x the time
of the smallest.

    python benchmarks/experiment_scale.py [--sizes 10000,100000,1000000] [--repeats 7]
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

from opsbot.config import parse_config
from opsbot.db import make_engine, transaction
from opsbot.experiments import evaluating, registering
from opsbot.experiments.model import ArmKind, Design, Guardrail, Metric
from opsbot.telemetry.ingest import store_batch
from opsbot.telemetry.schemas import OutcomeBatch, OutcomeIn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _telemetry_db import fresh_database

TARGET_RATIO = 2.0
SPAN = 28 * 86_400
CONFIG = parse_config(
    "surfaces:\n  - key: refund-agent\n    owners: [U0ALICE001]\n    tags: [refund-agent]\n"
)
VERSIONS = ("prompt-v12", "prompt-v13", "prompt-v11")


def fill(url: str, size: int, now: datetime, seed: int = 5) -> None:
    rng = random.Random(seed)
    engine = make_engine(url)
    try:
        for start in range(0, size, 10_000):
            records = []
            for _ in range(min(10_000, size - start)):
                version = rng.choice(VERSIONS)
                success = rng.random() < (0.84 if version == "prompt-v13" else 0.80)
                records.append(
                    OutcomeIn(
                        at=now - timedelta(seconds=rng.uniform(0, SPAN)),
                        tag="refund-agent" if rng.random() < 0.9 else "support-copilot",
                        outcome="autonomous" if success else rng.choice(["escalated", "failed"]),
                        cost=rng.uniform(0.005, 0.03),
                        success=success,
                        version=version,
                    )
                )
            with transaction(engine) as session:
                store_batch(session, OutcomeBatch(records=records), now=now, eval_run_hooks=[])
    finally:
        engine.dispose()


def register(url: str, now: datetime) -> str:
    design = Design(
        surface="refund-agent",
        arm_kind=ArmKind.VERSION,
        control="prompt-v12",
        treatment="prompt-v13",
        treatment_share=0.5,
        primary=Metric.SUCCESS_RATE,
        guardrails=(
            Guardrail(Metric.ESCALATION_RATE, 0.02),
            Guardrail(Metric.COST_PER_SUCCESS, 0.1),
        ),
        min_effect=0.02,
        min_days=7,
        min_sample=100,
    )
    draft = registering.Draft(design, "v13 raises success", starts_at=now - timedelta(days=28))
    engine = make_engine(url)
    try:
        with transaction(engine) as session:
            return registering.register(session, CONFIG, draft, by="U0ALICE001", now=now).key
    finally:
        engine.dispose()


def time_judgment(url: str, key: str, now: datetime, repeats: int, size: int) -> float:
    from opsbot.experiments import store

    engine = make_engine(url)
    try:
        timings = []
        for _ in range(repeats + 1):
            started = time.perf_counter()
            with transaction(engine) as session:
                experiment = store.by_key(session, key=key)
                assert experiment is not None
                judgment = evaluating.judgment_now(session, CONFIG, experiment, now)
            timings.append(time.perf_counter() - started)
        counted = sum(judgment.outcomes)
        assert 0.45 * size < counted < 0.75 * size, (counted, size)  # two of three versions
        return statistics.median(timings[1:])
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]
    now = datetime.now(UTC)
    kind = "PostgreSQL" if args.database_url else "SQLite"
    results = {}
    for size in sizes:
        with fresh_database(args.database_url) as url:
            started = time.perf_counter()
            fill(url, size, now)
            filled = time.perf_counter() - started
            key = register(url, now)
            results[size] = time_judgment(url, key, now, args.repeats, size)
        print(
            f"{kind}: {size:>10,} outcomes: judgment {results[size] * 1000:7.1f} ms "
            f"(filled in {filled:.0f} s)",
            flush=True,
        )
    ratio = results[sizes[-1]] / results[sizes[0]]
    print(
        f"{kind}: {sizes[-1]:,} / {sizes[0]:,} = {ratio:.2f}x (target <= {TARGET_RATIO}x): "
        f"{'PASS' if ratio <= TARGET_RATIO else 'FAIL'}"
    )
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
