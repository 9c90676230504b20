"""PSI and KS on full 1,000-bucket histograms: the drift numbers of one dashboard tag.

Two histograms of --scores Beta-distributed scores each (baseline Beta(5, 2), current
Beta(4, 2)); `psi` and `ks_statistic` run --repeats times on them. Target: both together at
most 50 ms per tag (the dashboard computes them per tag on every read).

    python benchmarks/drift_metrics.py [--scores 200000] [--repeats 10]
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time

import numpy as np

from opsbot.dashboard.model import Histogram, ks_statistic, psi

TARGET_MS = 50.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scores", type=int, default=200_000, help="scores per histogram")
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args()
    rng = np.random.default_rng(9)
    baseline = Histogram.from_scores(rng.beta(5, 2, args.scores))
    current = Histogram.from_scores(rng.beta(4, 2, args.scores))
    timings = []
    for _ in range(args.repeats):
        started = time.perf_counter()
        value = psi(baseline, current)
        ks_statistic(baseline, current)
        timings.append((time.perf_counter() - started) * 1000)
    assert math.isfinite(value)
    median = statistics.median(timings)
    print(f"psi + ks on two histograms of {args.scores:,} scores: median {median:.2f} ms, ", end="")
    print(f"max {max(timings):.2f} ms over {args.repeats} (target <= {TARGET_MS:g} ms): ", end="")
    print("PASS" if median <= TARGET_MS else "FAIL")
    return 0 if median <= TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
