"""Migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from opsbot.tables import metadata


def test_migrations_match_the_models(engine) -> None:
    """After `db upgrade` there is nothing left for Alembic to generate."""
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, metadata)
    assert diff == []


def schema_of(engine) -> dict[str, object]:
    """Every table's columns (name, type, nullable), indexes and unique constraints."""
    inspector = inspect(engine)
    return {
        table: (
            [(c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)],
            sorted(
                (i["name"] or "", tuple(i["column_names"])) for i in inspector.get_indexes(table)
            ),
            sorted(tuple(u["column_names"]) for u in inspector.get_unique_constraints(table)),
        )
        for table in sorted(inspector.get_table_names())
    }


def test_upgrade_twice_is_harmless(engine, database_url, monkeypatch, capsys) -> None:
    """`opsbot db upgrade` on an up-to-date database keeps its schema, its rows and the head."""
    from alembic.script import ScriptDirectory

    from opsbot.cli import main
    from opsbot.db import alembic_config, transaction
    from opsbot.telemetry import tokens

    monkeypatch.setenv("OPSBOT_DATABASE_URL", database_url)
    assert main(["db", "upgrade"]) == 0
    before = schema_of(engine)
    with transaction(engine) as session:
        tokens.create(session, name="kept", scopes=["ingest"], now=datetime.now(UTC))
    assert main(["db", "upgrade"]) == 0
    assert capsys.readouterr().out.count("database is up to date") == 2
    assert schema_of(engine) == before
    with engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_heads() == (
            ScriptDirectory.from_config(alembic_config(database_url)).get_current_head(),
        )
    with transaction(engine) as session:
        assert [token.name for token in tokens.listed(session)] == ["kept"]
