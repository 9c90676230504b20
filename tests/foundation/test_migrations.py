"""Migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from opsbot.db import upgrade
from opsbot.tables import metadata


def test_migrations_match_the_models(engine) -> None:
    """After `db upgrade` there is nothing left for Alembic to generate."""
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, metadata)
    assert diff == []


def test_upgrade_twice_is_harmless(engine) -> None:
    """Running `db upgrade` on an up-to-date database changes nothing."""
    upgrade(engine)
    upgrade(engine)
