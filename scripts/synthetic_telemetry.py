#!/usr/bin/env python3
"""A week of synthetic telemetry, plus baseline weeks, as JSONL for `opsbot ingest`.

Built in, so the dashboard has something to say:
- refund-agent: its confidence scores drift this week (Beta(8, 2) before, Beta(4, 3) now);
- support-copilot: its override rate jumps from about 5% to about 20% this week;
- triage-router: steady, the control.
Eval runs of the suites refunds and support pass throughout. "This week" is the dashboard's
current window: today and the 6 UTC days before it.

    python scripts/synthetic_telemetry.py --out week.jsonl && opsbot ingest week.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, TextIO

TAGS = ("refund-agent", "support-copilot", "triage-router")
SUITES = {"refunds": "refund-agent", "support": "support-copilot"}
OVERRIDE_BEFORE, OVERRIDE_NOW = 0.05, 0.20


def _day_outcomes(rng: random.Random, per_day: int, overridden: float) -> list[str]:
    """A day's outcomes in exact shares (shuffled), so only the built-in changes show up."""
    counts = {
        "overridden": round(per_day * overridden),
        "escalated": round(per_day * 0.04),
        "failed": round(per_day * 0.02),
    }
    outcomes = [name for name, n in counts.items() for _ in range(n)]
    outcomes += ["autonomous"] * (per_day - len(outcomes))
    rng.shuffle(outcomes)
    return outcomes


SUCCESS = {"autonomous": 0.95, "overridden": 0.7, "escalated": 0.5, "failed": 0.0}


def records(
    now: datetime, *, baseline_weeks: int, per_day: int, seed: int
) -> Iterator[dict[str, Any]]:
    """Every record, oldest day first; per_day is per tag and kind."""
    rng = random.Random(seed)
    midnight = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    current_start = midnight - timedelta(days=6)
    days = 7 + 7 * baseline_weeks
    for back in range(days - 1, -1, -1):
        day = midnight - timedelta(days=back)
        this_week = day >= current_start
        seconds = max(1, int(min(86_400, (now - day).total_seconds())))
        for tag in TAGS:
            for _ in range(per_day):
                at = day + timedelta(seconds=rng.randrange(seconds))
                if tag == "refund-agent" and this_week:
                    score = rng.betavariate(4, 3)
                else:
                    score = rng.betavariate(8, 2)
                yield {
                    "kind": "confidence",
                    "at": at.isoformat(),
                    "tag": tag,
                    "score": round(score, 4),
                }
            overridden = (
                OVERRIDE_NOW if (tag == "support-copilot" and this_week) else OVERRIDE_BEFORE
            )
            for outcome in _day_outcomes(rng, per_day, overridden):
                at = day + timedelta(seconds=rng.randrange(seconds))
                success = rng.random() < SUCCESS[outcome]
                cost = round(rng.uniform(0.005, 0.03) * (3 if outcome == "escalated" else 1), 5)
                yield {
                    "kind": "outcome",
                    "at": at.isoformat(),
                    "tag": tag,
                    "outcome": outcome,
                    "cost": cost,
                    "success": success,
                }
        for suite, tag in SUITES.items():
            at = day + timedelta(seconds=min(seconds - 1, 6 * 3600))
            yield {
                "kind": "eval-run",
                "suite": suite,
                "tag": tag,
                "run_id": f"{suite}-{day:%Y%m%d}",
                "at": at.isoformat(),
                "cases": [
                    {
                        "id": f"eval-{suite}-{i:02d}",
                        "passed": True,
                        "score": round(rng.uniform(0.8, 1.0), 3),
                    }
                    for i in range(20)
                ],
            }


def write(out: TextIO, rows: Iterator[dict[str, Any]]) -> int:
    count = 0
    for row in rows:
        out.write(json.dumps(row, separators=(",", ":")) + "\n")
        count += 1
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="JSONL file to write (default: stdout)")
    parser.add_argument("--baseline-weeks", type=int, default=4)
    parser.add_argument(
        "--per-day",
        type=int,
        default=300,
        help="confidence scores and outcomes per tag and day (default 300)",
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--now", help="ISO 8601 time with offset to end at (default: now)")
    args = parser.parse_args(argv)
    now = datetime.fromisoformat(args.now) if args.now else datetime.now(UTC)
    rows = records(now, baseline_weeks=args.baseline_weeks, per_day=args.per_day, seed=args.seed)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as out:
            count = write(out, rows)
        print(f"wrote {count} records to {args.out}", file=sys.stderr)
    else:
        write(sys.stdout, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
