"""team roles held by several people

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 04:00:00

A role set in Slack kept one holder in ``team_role.user_id``; holders move to
``team_role_holder`` (several per role) and ``team_role`` keeps who changed the role last.
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import opsbot.db

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "team_role_holder",
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("added_by", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("added_at", opsbot.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("role", "user_id"),
    )
    op.execute(
        "INSERT INTO team_role_holder (role, user_id, added_by, added_at) "
        "SELECT role, user_id, assigned_by, assigned_at FROM team_role"
    )
    with op.batch_alter_table("team_role") as batch:
        batch.drop_column("user_id")


def downgrade() -> None:
    with op.batch_alter_table("team_role") as batch:
        batch.add_column(
            sa.Column("user_id", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True)
        )
    op.execute(
        "UPDATE team_role SET user_id = (SELECT MIN(h.user_id) FROM team_role_holder h "
        "WHERE h.role = team_role.role)"
    )
    op.execute("DELETE FROM team_role WHERE user_id IS NULL")
    with op.batch_alter_table("team_role") as batch:
        batch.alter_column("user_id", nullable=False)
    op.drop_table("team_role_holder")
