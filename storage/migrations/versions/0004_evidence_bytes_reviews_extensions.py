"""Roles that add up (a contact is unique per channel, user, agency *and role*), evidence kept by baocao (content hash, size, type; a file may wait for its report), coordinators'
reviews of a report (tiếp nhận / yêu cầu bổ sung), extension requests and an agency's extended
due date.

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_constraint("uq_contact_channel_user_id_agency_id", type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_contact_channel_user_id_agency_id_role"), ["channel", "user_id", "agency_id", "role"]
        )
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.alter_column("report_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("obligation_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("sha256", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("size", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("mime", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("task_no", sa.String(length=16), nullable=True))
        batch_op.create_index(batch_op.f("ix_evidence_obligation_id"), ["obligation_id"], unique=False)
        batch_op.create_foreign_key(batch_op.f("fk_evidence_obligation_id_obligation"), "obligation", ["obligation_id"], ["id"])
    with op.batch_alter_table("obligation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("extended_due", sa.Date(), nullable=True))
    op.create_table(
        "review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("obligation_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"], name=op.f("fk_review_contact_id_contact")),
        sa.ForeignKeyConstraint(["obligation_id"], ["obligation.id"], name=op.f("fk_review_obligation_id_obligation")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review")),
    )
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_obligation_id"), ["obligation_id"], unique=False)
    op.create_table(
        "extension",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("obligation_id", sa.Integer(), nullable=False),
        sa.Column("task_no", sa.String(length=16), nullable=True),
        sa.Column("until", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.String(length=128), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["contact_id"], ["contact.id"], name=op.f("fk_extension_contact_id_contact")),
        sa.ForeignKeyConstraint(["obligation_id"], ["obligation.id"], name=op.f("fk_extension_obligation_id_obligation")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_extension")),
    )
    with op.batch_alter_table("extension", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_extension_obligation_id"), ["obligation_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("extension", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_extension_obligation_id"))
    op.drop_table("extension")
    with op.batch_alter_table("review", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_obligation_id"))
    op.drop_table("review")
    with op.batch_alter_table("obligation", schema=None) as batch_op:
        batch_op.drop_column("extended_due")
    op.execute("DELETE FROM evidence WHERE report_id IS NULL")
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_evidence_obligation_id_obligation"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_evidence_obligation_id"))
        batch_op.drop_column("task_no")
        batch_op.drop_column("mime")
        batch_op.drop_column("size")
        batch_op.drop_column("sha256")
        batch_op.drop_column("obligation_id")
        batch_op.alter_column("report_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_contact_channel_user_id_agency_id_role"), type_="unique")
        batch_op.create_unique_constraint("uq_contact_channel_user_id_agency_id", ["channel", "user_id", "agency_id"])
