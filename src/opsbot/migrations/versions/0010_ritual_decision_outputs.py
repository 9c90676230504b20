"""ritual decisions name their expected output; occurrences record who closed them early

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ritual_decision") as batch:
        batch.add_column(sa.Column("output", sa.Text(), nullable=True))
    with op.batch_alter_table("ritual_occurrence") as batch:
        batch.add_column(
            sa.Column("closed_by", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("ritual_occurrence") as batch:
        batch.drop_column("closed_by")
    with op.batch_alter_table("ritual_decision") as batch:
        batch.drop_column("output")
