#!/usr/bin/env python3
"""Outcomes of an experiment already running in the product, as JSONL for `opsbot ingest`.

The refund-agent surface has served two versions side by side (50/50) since midnight UTC
``--days`` days ago: prompt-v12 (live) and prompt-v13 (the change). Built in, in exact shares
per day so the result is known: the success rate goes from 80% to 86% (+6 pp), escalations stay
at 5%, and cost per outcome is the same. ``--effect 0`` makes an A/A test (no difference);
``--escalations`` raises prompt-v13's escalation rate (a guardrail breach).

    python scripts/synthetic_experiment.py --out experiment.jsonl
    opsbot ingest experiment.jsonl   # or `ingest experiment.jsonl` in the console

It prints the start to register the experiment with (a start in the past: registered late).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

CONTROL, TREATMENT = "prompt-v12", "prompt-v13"


def _arm_day(
    rng: random.Random, day: datetime, seconds: int, per_day: int, success: float, escalated: float
) -> Iterator[dict[str, Any]]:
    wins, escalations = round(per_day * success), round(per_day * escalated)
    kinds = ["autonomous"] * wins + ["escalated"] * escalations
    kinds += ["failed"] * (per_day - len(kinds))
    rng.shuffle(kinds)
    for outcome in kinds:
        yield {
            "at": (day + timedelta(seconds=rng.randrange(seconds))).isoformat(),
            "outcome": outcome,
            "success": outcome == "autonomous",
            "cost": round(rng.uniform(0.01, 0.03), 4),
        }


def records(
    now: datetime, *, days: int, per_day: int, effect: float, escalations: float, seed: int
) -> Iterator[dict[str, Any]]:
    """Every outcome of both arms, oldest day first."""
    rng = random.Random(seed)
    midnight = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    for back in range(days, -1, -1):
        day = midnight - timedelta(days=back)
        seconds = max(1, int(min(86_400, (now - day).total_seconds())))
        share = seconds / 86_400  # today only so far
        n = max(1, round(per_day * share))
        arms = ((CONTROL, 0.80, 0.05), (TREATMENT, 0.80 + effect, 0.05 + escalations))
        for version, success, escalated in arms:
            for record in _arm_day(rng, day, seconds, n, success, escalated):
                yield {"kind": "outcome", "tag": "refund-agent", "version": version, **record}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, help="the JSONL file to write")
    parser.add_argument("--days", type=int, default=8, help="days since the experiment started")
    parser.add_argument("--per-day", type=int, default=600, help="outcomes per arm and day")
    parser.add_argument("--effect", type=float, default=0.06, help="success rate change")
    parser.add_argument("--escalations", type=float, default=0.0, help="escalation change")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    now = datetime.now(UTC)
    count = 0
    with open(args.out, "w", encoding="utf-8") as out:
        for record in records(
            now,
            days=args.days,
            per_day=args.per_day,
            effect=args.effect,
            escalations=args.escalations,
            seed=args.seed,
        ):
            out.write(json.dumps(record) + "\n")
            count += 1
    start = (now - timedelta(days=args.days)).date().isoformat()
    print(f"Wrote {count} outcomes of {CONTROL} and {TREATMENT} to {args.out}.")
    print(f"Register the experiment with the start {start} (when it began in the product).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
