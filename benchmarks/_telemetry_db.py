"""A fresh, migrated database for the telemetry benchmarks: a SQLite file or a PostgreSQL one."""

from __future__ import annotations

import contextlib
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from opsbot.db import make_engine, upgrade


@contextlib.contextmanager
def fresh_database(pg_url: str | None) -> Iterator[str]:
    """Yield the URL of an empty database upgraded to the newest migration; drop it after."""
    if not pg_url:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{Path(folder) / 'bench.db'}"
            engine = make_engine(url)
            upgrade(engine)
            engine.dispose()
            yield url
        return
    name = f"opsbot_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_url(pg_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(pg_url).set(database=name).render_as_string(hide_password=False)
    try:
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
