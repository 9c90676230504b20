"""Every benchmark runs to its report at a tiny size, so an API change that breaks one fails here.

Only that each run finishes and prints its figures is checked, never the figures: a benchmark's
own exit status says whether its target was met, which at these sizes means nothing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import BACKEND, PG_URL

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
TARGET_MISSED = 1  # the exit status of a benchmark that ran but missed its target
HELPERS = {"_telemetry_db.py", "bare_bolt_app.py"}  # run by the benchmarks below, not alone
TESTS = BENCHMARKS.parent / "tests"
SMOKED_ELSEWHERE = {  # their lanes' own runs
    "console_latency.py": "console/test_benchmark.py",
    "experiment_scale.py": "experiments/test_benchmark.py",
}


def fresh_db_args() -> list[str]:
    """The telemetry benchmarks make their own fresh databases from an admin URL."""
    return ["--database-url", PG_URL] if BACKEND == "postgresql" else []


SMOKE: dict[str, tuple[list[str], str]] = {
    # file: (arguments at a tiny size, a line fragment its report always prints)
    "ack_latency.py": (
        ["--requests", "20", "--concurrency", "2", "--warmup", "2", "--rounds", "2"],
        "target p99 ratio",
    ),
    "dashboard_scale.py": (["--sizes", "200,400", "--repeats", "1"], "(target <= 2.0x)"),
    "drift_metrics.py": (["--scores", "2000", "--repeats", "2"], "psi + ks on two histograms"),
    "incident_declare.py": (["--declarations", "2"], "p50"),
    "ingest_throughput.py": (["--records", "2000", "--batch", "500"], "API / bulk"),
    "rituals_due.py": (["--rituals", "2", "--catch-up"], "all posted after"),
}


def test_every_benchmark_has_a_smoke_run() -> None:
    """A benchmark added to benchmarks/ without a tiny run here fails this test."""
    present = {path.name for path in BENCHMARKS.glob("*.py")} - HELPERS
    assert present == set(SMOKE) | set(SMOKED_ELSEWHERE)
    for name, test in SMOKED_ELSEWHERE.items():
        assert name in (TESTS / test).read_text()
    assert all((BENCHMARKS / helper).exists() for helper in HELPERS)


@pytest.mark.parametrize("name", sorted(SMOKE))
def test_benchmark_runs_at_a_tiny_size(name: str, database_url: str) -> None:
    """The benchmark finishes and prints its report, on the suite's database kind."""
    arguments, report = SMOKE[name]
    if name == "drift_metrics.py":
        pass  # pure computation: no database
    elif name in {"dashboard_scale.py", "ingest_throughput.py"}:
        arguments = [*arguments, *fresh_db_args()]
    else:
        arguments = [*arguments, "--database-url", database_url]
    if name == "ack_latency.py":
        arguments += ["--text", "team"]  # the command that reads and replies after the ack
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / name), *arguments],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        check=False,
    )
    assert done.returncode in (0, TARGET_MISSED), done.stderr[-3000:]
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert report in done.stdout, done.stdout[-3000:]
