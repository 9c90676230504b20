"""The console latency benchmark runs at a tiny size, so it cannot rot."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_console_latency_benchmark_runs_one_round(database_url: str) -> None:
    """One round of every measured line completes and prints its table and verdict."""
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "console_latency.py"),
            "--rounds",
            "1",
            "--database-url",
            database_url,
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    for line in ("/ops help", "/incident list", "/incident declare", "/incident declare sev3 …"):
        assert f"| `{line}` |" in done.stdout
    assert "slowest typical reply or modal:" in done.stdout
