"""A report's general part and each entry's figures (issue 9: the parser reads whole reports).

- ``report.general_text`` / ``report.general_difficulty``: the "Khó khăn, vướng mắc" or
  "Kiến nghị" part of a report that names no task — the agency's, for the period as a whole.
- ``report_entry.figures``: the counts with their unit in the entry's text
  (``[{"value": 12, "total": 15, "unit": "hội nghị", "text": "12/15 hội nghị"}]``).
- Entry status ``not_arisen`` ("không phát sinh"): statuses are plain strings, nothing to alter.

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.add_column(sa.Column("general_text", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("general_difficulty", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("report_entry", schema=None) as batch_op:
        batch_op.add_column(sa.Column("figures", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("report_entry", schema=None) as batch_op:
        batch_op.drop_column("figures")
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.drop_column("general_difficulty")
        batch_op.drop_column("general_text")
