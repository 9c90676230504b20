"""The experiment scale benchmark runs at a tiny size, so it cannot rot."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import BACKEND, PG_URL

ROOT = Path(__file__).resolve().parents[2]


def test_the_experiment_scale_benchmark_runs_at_a_tiny_size() -> None:
    """Two tiny sizes fill, register, judge and print their verdict line."""
    command = [
        sys.executable,
        str(ROOT / "benchmarks" / "experiment_scale.py"),
        "--sizes",
        "300,600",
        "--repeats",
        "1",
    ]
    if BACKEND == "postgresql":
        command += ["--database-url", PG_URL]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180)
    assert "outcomes: judgment" in done.stdout, done.stderr
    assert "600 / 300 = " in done.stdout
