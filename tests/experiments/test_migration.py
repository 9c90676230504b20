"""The migration that adds experiments rebuilds the outcome rollups from the raw outcomes:
per version, with the sums experiments need, and the dashboard's totals unchanged."""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from sqlalchemy import create_engine, text

from opsbot.db import MIGRATIONS_DIR, alembic_config

VERSIONS = MIGRATIONS_DIR / "versions"


def _revisions() -> tuple[str, str]:
    """(this migration's revision, the one before it)."""
    [path] = [p for p in VERSIONS.glob("*_experiments.py")]
    spec = importlib.util.spec_from_file_location("experiments_migration", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.revision, module.down_revision


def test_the_rollup_is_rebuilt_per_version_with_its_sums(tmp_path: Path) -> None:
    """Raw outcomes stored before the migration end up in per-hour rollups with the squared
    cost and the successes' cost, and the same counts as before."""
    url = f"sqlite:///{tmp_path / 'old.db'}"  # the rebuild is dialect-free Python
    mine, before = _revisions()
    cfg = alembic_config(url)
    command.upgrade(cfg, before)
    engine = create_engine(url)
    hour = datetime(2026, 11, 2, 10, tzinfo=UTC)
    rows: list[dict[str, Any]] = [
        {
            "tag": "a",
            "at": "2026-11-02 10:05:00",
            "outcome": "autonomous",
            "cost": 0.5,
            "success": 1,
        },
        {
            "tag": "a",
            "at": "2026-11-02 10:55:00",
            "outcome": "autonomous",
            "cost": 1.5,
            "success": 0,
        },
        {
            "tag": "a",
            "at": "2026-11-02 11:00:00",
            "outcome": "escalated",
            "cost": 2.0,
            "success": 0,
        },
    ]
    with engine.begin() as conn:
        for row in rows:
            conn.execute(
                text(
                    "INSERT INTO outcome_record (tag, at, outcome, cost, success) "
                    "VALUES (:tag, :at, :outcome, :cost, :success)"
                ),
                row,
            )
        conn.execute(
            text(
                "INSERT INTO outcome_rollup (hour, tag, outcome, count, successes, cost) VALUES "
                "('2026-11-02 10:00:00.000000', 'a', 'autonomous', 2, 1, 2.0), "
                "('2026-11-02 11:00:00.000000', 'a', 'escalated', 1, 0, 2.0)"
            )
        )
    command.upgrade(cfg, mine)
    with engine.connect() as conn:
        found = conn.execute(
            text(
                "SELECT hour, version, outcome, count, successes, cost, cost_squares, success_cost "
                "FROM outcome_rollup ORDER BY hour, outcome"
            )
        ).all()
    assert [tuple(r)[1:] for r in found] == [
        ("", "autonomous", 2, 1, 2.0, 0.25 + 2.25, 0.5),
        ("", "escalated", 1, 0, 2.0, 4.0, 0.0),
    ]
    assert str(found[0][0]).startswith(f"{hour:%Y-%m-%d %H}")
    command.downgrade(cfg, before)
    with engine.connect() as conn:
        back = conn.execute(
            text("SELECT outcome, count, cost FROM outcome_rollup ORDER BY hour")
        ).all()
    assert [tuple(r) for r in back] == [("autonomous", 2, 2.0), ("escalated", 1, 2.0)]
    engine.dispose()
