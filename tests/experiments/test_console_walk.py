"""docs/experiments.md's console walk, run as written: outcomes ingested, an experiment
registered late by the form, judged ship, decided, listed."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.console import run_script

ROOT = Path(__file__).resolve().parents[2]


def walk() -> list[str]:
    text = (ROOT / "docs" / "experiments.md").read_text()
    [block] = re.findall(r"```console\n(.*?)```", text, re.S)
    return block.splitlines()


def test_the_experiments_walk_works_as_written(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every line of the walk does what the page says, with nothing refused."""
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "synthetic_experiment.py"),
            "--out",
            "experiment.jsonl",
        ],
        cwd=tmp_path,
        check=True,
        capture_output=True,
    )
    monkeypatch.setenv("OPSBOT_CONFIG", str(ROOT / "docs" / "examples" / "surfaces.yaml"))
    out = run_script(walk(), cwd=tmp_path, database_url=database_url, tmpdir=tmp_path)
    for refusal in ("That did not work", "I don't know", "cannot", "There is no"):
        assert refusal not in out
    assert out.rstrip().endswith("> quit"), "the script ended before its last line"
    said = [
        "Stored 0 confidence scores",
        "┌─ New experiment",
        "== 🧪 Experiment shorter-refund-prompt ==",
        "*Registered late*",
        "*State: ship*",
        "*ship* (was collecting)",
        "Recorded: *ship* for shorter-refund-prompt",
        "Ship prompt-v13 on refund-agent (experiment shorter-refund-prompt; the rule said ship)",
        "decided *ship* (registered late)",
    ]
    at = 0
    for text in said:
        found = out.find(text, at)
        assert found >= 0, f"{text!r} is not shown (in order) by the walk:\n{out[at:]}"
        at = found
