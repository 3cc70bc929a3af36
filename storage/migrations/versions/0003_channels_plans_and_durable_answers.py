"""Channels as names, outbox rows that carry their plan, priority and sent parts, offered choices.

- ``outbox.plan_id`` (reconciling one plan's reminders never touches another's), ``priority``
  (answers before reminders) and ``parts_sent`` (a long message resumes after a crash);
  digest keys gain the plan (``digest:<plan>:<period>:<contact>``), so two plans' digests of
  the same period are two rows.
- ``outbox_message``: every message id a channel returned, one row per part, for attributing
  replies; filled from ``outbox.message_id``.
- ``report.channel``; ``report.source`` 'telegram' becomes 'chat' (the channel moves to its own
  column).
- ``conversation_state.offered``: the choices last offered, for channels without buttons.

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401 - autogenerate renders sqlmodel types
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("plan_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("priority", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("parts_sent", sa.Integer(), nullable=False, server_default="0"))
        batch_op.create_index(batch_op.f("ix_outbox_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("part", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["outbox_id"], ["outbox.id"], name=op.f("fk_outbox_message_outbox_id_outbox")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_message")),
        sa.UniqueConstraint("channel", "chat_id", "message_id", name=op.f("uq_outbox_message_channel_chat_id_message_id")),
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_message_outbox_id"), ["outbox_id"], unique=False)

    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.add_column(sa.Column("channel", sa.String(length=16), nullable=True))
    with op.batch_alter_table("conversation_state", schema=None) as batch_op:
        batch_op.add_column(sa.Column("offered", sa.JSON(), nullable=True))

    connection = op.get_bind()
    connection.execute(sa.text("UPDATE report SET channel = source, source = 'chat' WHERE source = 'telegram'"))
    # Plan of every row that has an obligation; digests carry it in their payload.
    connection.execute(
        sa.text(
            "UPDATE outbox SET plan_id = (SELECT obligation.plan_id FROM obligation WHERE obligation.id = outbox.obligation_id) "
            "WHERE obligation_id IS NOT NULL"
        )
    )
    outbox = sa.table(
        "outbox",
        sa.column("id", sa.Integer),
        sa.column("key", sa.String),
        sa.column("kind", sa.String),
        sa.column("plan_id", sa.String),
        sa.column("payload", sa.JSON),
        sa.column("channel", sa.String),
        sa.column("chat_id", sa.String),
        sa.column("message_id", sa.String),
        sa.column("sent_at", sa.DateTime(timezone=True)),
    )
    rows = connection.execute(sa.select(outbox.c.id, outbox.c.key, outbox.c.payload).where(outbox.c.kind == "digest")).all()
    for row_id, key, payload in rows:
        plan_id = (payload or {}).get("plan_id")
        parts = key.split(":")
        if plan_id and len(parts) == 3:  # digest:<period>:<contact>
            connection.execute(
                sa.update(outbox)
                .where(outbox.c.id == row_id)
                .values(key=f"digest:{plan_id}:{parts[1]}:{parts[2]}", plan_id=plan_id)
            )
    sent = connection.execute(
        sa.select(outbox.c.id, outbox.c.channel, outbox.c.chat_id, outbox.c.message_id, outbox.c.sent_at).where(
            outbox.c.message_id.is_not(None), outbox.c.sent_at.is_not(None)
        )
    ).all()
    messages = sa.table(
        "outbox_message",
        sa.column("outbox_id", sa.Integer),
        sa.column("channel", sa.String),
        sa.column("chat_id", sa.String),
        sa.column("message_id", sa.String),
        sa.column("part", sa.Integer),
        sa.column("sent_at", sa.DateTime(timezone=True)),
    )
    seen: set[tuple[str, str, str]] = set()
    for row_id, channel, chat_id, message_id, sent_at in sent:
        if (channel, chat_id, message_id) in seen:
            continue
        seen.add((channel, chat_id, message_id))
        connection.execute(
            sa.insert(messages).values(
                outbox_id=row_id, channel=channel, chat_id=chat_id, message_id=message_id, part=0, sent_at=sent_at
            )
        )


def downgrade() -> None:
    connection = op.get_bind()
    connection.execute(sa.text("UPDATE report SET source = channel WHERE source = 'chat' AND channel IS NOT NULL"))
    with op.batch_alter_table("conversation_state", schema=None) as batch_op:
        batch_op.drop_column("offered")
    with op.batch_alter_table("report", schema=None) as batch_op:
        batch_op.drop_column("channel")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_message_outbox_id"))
    op.drop_table("outbox_message")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_plan_id"))
        batch_op.drop_column("parts_sent")
        batch_op.drop_column("priority")
        batch_op.drop_column("plan_id")
