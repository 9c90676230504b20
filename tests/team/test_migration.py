"""The move to several holders per role keeps the holder each role had."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import text

from opsbot.db import alembic_config, make_engine


@pytest.fixture
def empty_url(database_url: str, engine) -> str:
    """The test's database with no tables at all (downgraded to base)."""
    cfg = alembic_config(database_url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
    return database_url


def _migrate(url: str, to: str, *, down: bool = False) -> None:
    engine = make_engine(url)
    cfg = alembic_config(url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        (command.downgrade if down else command.upgrade)(cfg, to)
    engine.dispose()


def test_a_role_set_in_slack_keeps_its_holder_across_the_migration(empty_url: str) -> None:
    """A role given to one person before 0008 is held by that person after it (who gave it
    and when kept), and going back down keeps one holder per role."""
    _migrate(empty_url, "0007")
    engine = make_engine(empty_url)
    at = datetime(2026, 11, 1, 9, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO team_role (role, user_id, assigned_by, assigned_at) "
                "VALUES ('eval-engineer', 'U0BOB00001', 'U0ALICE001', :at)"
            ),
            {"at": at},
        )
    _migrate(empty_url, "0008")
    with engine.connect() as conn:
        holders = conn.execute(text("SELECT role, user_id, added_by FROM team_role_holder")).all()
        roles = conn.execute(text("SELECT role, assigned_by FROM team_role")).all()
    assert [tuple(r) for r in holders] == [("eval-engineer", "U0BOB00001", "U0ALICE001")]
    assert [tuple(r) for r in roles] == [("eval-engineer", "U0ALICE001")]
    _migrate(empty_url, "0007", down=True)
    with engine.connect() as conn:
        back = conn.execute(text("SELECT role, user_id FROM team_role")).all()
    assert [tuple(r) for r in back] == [("eval-engineer", "U0BOB00001")]
    engine.dispose()
