"""The migration that adds experiments rebuilds the outcome rollups from the raw outcomes:
per version, with the sums experiments need, and the dashboard's totals unchanged."""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import command
from sqlalchemy import create_engine, text

from opsbot.db import MIGRATIONS_DIR, UTCDateTime, alembic_config

VERSIONS = MIGRATIONS_DIR / "versions"


def _revisions() -> tuple[str, str]:
    """(this migration's revision, the one before it)."""
    [path] = [p for p in VERSIONS.glob("*_experiments.py")]
    spec = importlib.util.spec_from_file_location("experiments_migration", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.revision, module.down_revision


def test_the_rollup_is_rebuilt_per_version_with_its_sums(database_url: str) -> None:
    """Raw outcomes stored before the migration end up in per-hour rollups with the squared
    cost and the successes' cost, and the same counts as before; going back down keeps the
    counts too."""
    mine, before = _revisions()
    cfg = alembic_config(database_url)
    command.downgrade(cfg, before)
    engine = create_engine(database_url)
    record = sa.table(
        "outcome_record",
        sa.column("tag"),
        sa.column("at", UTCDateTime()),
        sa.column("outcome"),
        sa.column("cost"),
        sa.column("success"),
    )
    old = sa.table(
        "outcome_rollup",
        sa.column("hour", UTCDateTime()),
        sa.column("tag"),
        sa.column("outcome"),
        sa.column("count"),
        sa.column("successes"),
        sa.column("cost"),
    )
    ten, eleven = datetime(2026, 11, 2, 10, tzinfo=UTC), datetime(2026, 11, 2, 11, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(
            sa.insert(record),
            [
                {
                    "tag": "a",
                    "at": ten + timedelta(minutes=5),
                    "outcome": "autonomous",
                    "cost": 0.5,
                    "success": True,
                },
                {
                    "tag": "a",
                    "at": ten + timedelta(minutes=55),
                    "outcome": "autonomous",
                    "cost": 1.5,
                    "success": False,
                },
                {"tag": "a", "at": eleven, "outcome": "escalated", "cost": 2.0, "success": False},
            ],
        )
        conn.execute(
            sa.insert(old),
            [
                {
                    "hour": ten,
                    "tag": "a",
                    "outcome": "autonomous",
                    "count": 2,
                    "successes": 1,
                    "cost": 2.0,
                },
                {
                    "hour": eleven,
                    "tag": "a",
                    "outcome": "escalated",
                    "count": 1,
                    "successes": 0,
                    "cost": 2.0,
                },
            ],
        )
    command.upgrade(cfg, mine)
    query = (
        "SELECT hour, version, outcome, count, successes, cost, cost_squares, success_cost "
        "FROM outcome_rollup ORDER BY hour, outcome"
    )
    with engine.connect() as conn:
        found = [tuple(row) for row in conn.execute(text(query))]
    assert [row[1:] for row in found] == [
        ("", "autonomous", 2, 1, 2.0, 0.25 + 2.25, 0.5),
        ("", "escalated", 1, 0, 2.0, 4.0, 0.0),
    ]
    command.downgrade(cfg, before)
    with engine.connect() as conn:
        back = conn.execute(text("SELECT outcome, count, cost FROM outcome_rollup ORDER BY hour"))
        assert [tuple(row) for row in back] == [("autonomous", 2, 2.0), ("escalated", 1, 2.0)]
    command.upgrade(cfg, "head")
    engine.dispose()
