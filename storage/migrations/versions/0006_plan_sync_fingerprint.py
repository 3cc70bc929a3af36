"""``plan_sync``: what each plan's last sync was made from (issue 12, part "sync that costs
nothing when nothing changed").

One row per plan id: the fingerprint of the sync's inputs (the plan's content, the working-day
calendar, the years synced, the sync code's version) and when it ran. A sync whose inputs have
the fingerprint stored is skipped. A new table only: nothing to back-fill (a database without
a row syncs once, as before).

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "plan_sync",
        sa.Column("plan_id", sa.String(length=64), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("plan_hash", sa.String(length=64), nullable=False),
        sa.Column("calendar_hash", sa.String(length=64), nullable=False),
        sa.Column("years", sa.String(length=255), nullable=False),
        sa.Column("code_version", sa.Integer(), nullable=False),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("plan_id", name=op.f("pk_plan_sync")),
    )


def downgrade() -> None:
    op.drop_table("plan_sync")
