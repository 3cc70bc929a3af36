"""Evidence files (minh chứng) attached to reports.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 19:49:19.990459

"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # autogenerate renders sqlmodel.sql.sqltypes.AutoString without importing it
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("inbox_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("file_id", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("caption", sa.Text(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"], name=op.f("fk_evidence_contact_id_contact")),
        sa.ForeignKeyConstraint(["inbox_id"], ["inbox.id"], name=op.f("fk_evidence_inbox_id_inbox")),
        sa.ForeignKeyConstraint(["report_id"], ["report.id"], name=op.f("fk_evidence_report_id_report")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence")),
    )
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_report_id"), ["report_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_report_id"))
    op.drop_table("evidence")
