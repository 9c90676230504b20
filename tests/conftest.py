"""Shared fixtures: a fresh database per test (SQLite, or PostgreSQL when its URL is given),
the Slack stand-in, and opsbot running against it."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from opsbot.db import make_engine, upgrade

PG_URL = os.environ.get("OPSBOT_TEST_DATABASE_URL", "")
BACKEND = "postgresql" if PG_URL.startswith("postgresql") else "sqlite"


def _pg_admin() -> object:
    url = make_url(PG_URL).set(drivername="postgresql+psycopg", database="postgres")
    return create_engine(url, isolation_level="AUTOCOMMIT")


def _pg_url(name: str) -> str:
    url = make_url(PG_URL).set(drivername="postgresql+psycopg", database=name)
    return url.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def template_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database that each test's fresh database is copied from."""
    if BACKEND == "postgresql":
        name = f"opsbot_tmpl_{uuid.uuid4().hex[:8]}"
        admin = _pg_admin()
        with admin.connect() as conn:  # type: ignore[attr-defined]
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        engine = make_engine(_pg_url(name))
        upgrade(engine)
        engine.dispose()
        yield name
        with admin.connect() as conn:  # type: ignore[attr-defined]
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()  # type: ignore[attr-defined]
    else:
        path = tmp_path_factory.mktemp("template") / "template.db"
        engine = make_engine(f"sqlite:///{path}")
        upgrade(engine)
        engine.dispose()
        yield str(path)


@pytest.fixture
def database_url(template_database: str, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database of this test's own, dropped after it."""
    if BACKEND == "postgresql":
        name = f"opsbot_test_{uuid.uuid4().hex[:10]}"
        admin = _pg_admin()
        with admin.connect() as conn:  # type: ignore[attr-defined]
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template_database}"'))
        yield _pg_url(name)
        with admin.connect() as conn:  # type: ignore[attr-defined]
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()  # type: ignore[attr-defined]
    else:
        path = tmp_path / "opsbot.db"
        shutil.copyfile(template_database, path)
        yield f"sqlite:///{path}"


@pytest.fixture
def engine(database_url: str) -> Iterator[object]:
    eng = make_engine(database_url)
    yield eng
    eng.dispose()


@pytest.fixture
def postgres_only() -> None:
    """Skips a test that needs PostgreSQL when the suite runs on SQLite."""
    if BACKEND != "postgresql":
        pytest.skip("needs PostgreSQL: set OPSBOT_TEST_DATABASE_URL (CI does)")


@pytest.fixture
def slack() -> Iterator[object]:
    """The Slack stand-in on a random loopback port."""
    from opsbot.testing import FakeSlack
    from opsbot.testing.live import BOT_TOKEN, SIGNING_SECRET

    fake = FakeSlack(signing_secret=SIGNING_SECRET, bot_token=BOT_TOKEN)
    fake.start()
    for name in ("general", "incidents", "customer-comms", "ai-ops"):
        fake.add_channel(name)
    yield fake
    fake.stop()


@pytest.fixture
def bot(slack: object, database_url: str) -> Iterator[object]:
    """opsbot serving over loopback HTTP, talking to the stand-in."""
    from opsbot.testing.live import LiveBot

    live = LiveBot(slack, database_url)
    live.start()
    yield live
    live.stop()
