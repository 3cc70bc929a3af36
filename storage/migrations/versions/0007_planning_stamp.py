"""``planning_stamp``: what each plan's last planning pass saw (issue 12, part "sync that costs
nothing when nothing changed").

One row per plan id: the fingerprint of planning's inputs (plan, calendar, settings, active
contacts, obligations, reports, reviews, the plan's outbox rows), when it ran, and the first
moment the clock alone can change what planning wants. A tick whose inputs have that
fingerprint before that moment skips planning. A new table only: nothing to back-fill (a
database without a row plans, as before), and two indexes for its aggregates.

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "planning_stamp",
        sa.Column("plan_id", sa.String(length=64), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("planned_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_change_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("plan_id", name=op.f("pk_planning_stamp")),
    )
    # The stamp's aggregates read these indexes only (a few milliseconds for 16,000 obligations).
    with op.batch_alter_table("obligation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_obligation_plan_id_status_extended_due_updated_at"),
            ["plan_id", "status", "extended_due", "updated_at"],
            unique=False,
        )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_plan_id_kind_status"), ["plan_id", "kind", "status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_plan_id_kind_status"))
    with op.batch_alter_table("obligation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_obligation_plan_id_status_extended_due_updated_at"))
    op.drop_table("planning_stamp")
