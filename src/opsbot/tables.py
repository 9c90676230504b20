"""Every table, imported once so the metadata (and Alembic) sees them all."""

from __future__ import annotations

from sqlmodel import SQLModel

from opsbot import outbox, pace, people  # noqa: F401  imported for their tables
from opsbot.dashboard import store as dashboard_store  # noqa: F401  imported for its table
from opsbot.experiments import store as experiment_store  # noqa: F401  imported for its tables
from opsbot.incidents import store as incident_store  # noqa: F401  imported for its tables
from opsbot.rituals import store as ritual_store  # noqa: F401  imported for its tables
from opsbot.slack import dedupe  # noqa: F401  imported for its table
from opsbot.team import store as team_store  # noqa: F401  imported for its table
from opsbot.telemetry import store as telemetry_store  # noqa: F401  imported for its tables

metadata = SQLModel.metadata
