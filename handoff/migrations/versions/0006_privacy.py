"""privacy: daily_stats (aggregates kept after the retention job), job_leases (one replica
runs a scheduled job), and the indexes the retention job searches by

Revision ID: 0006_privacy
Revises: 0005_replica_coordination
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_privacy"
down_revision = "0005_replica_coordination"
branch_labels = None
depends_on = None

_FK_NAMES = {"fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"}


def upgrade() -> None:
    op.create_table(
        "daily_stats",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("metric", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("label", sa.String(length=48), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("day", "metric", "channel", "language", "label"),
    )
    op.create_table(
        "job_leases",
        sa.Column("name", sa.String(length=48), nullable=False),
        sa.Column("holder", sa.String(length=128), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.create_index("ix_conversations_updated_at", ["updated_at"], unique=False)
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_created", ["created_at"], unique=False)
        batch_op.create_index("ix_outbox_message", ["message_id"], unique=False)
    # outbox.message_id loses its foreign key: its ON DELETE SET NULL fired one query per
    # deleted message, half of the retention job's time; the job deletes outbox rows first.
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("outbox_message_id_fkey", "outbox", type_="foreignkey")
    else:
        # SQLite's constraint has no name: the batch copy names it to drop it.
        with op.batch_alter_table("outbox", naming_convention=_FK_NAMES) as batch_op:
            batch_op.drop_constraint("fk_outbox_message_id_messages", type_="foreignkey")


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_foreign_key(
            "outbox_message_id_fkey", "messages", ["message_id"], ["id"], ondelete="SET NULL"
        )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_message")
        batch_op.drop_index("ix_outbox_created")
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_index("ix_conversations_updated_at")
    op.drop_table("job_leases")
    op.drop_table("daily_stats")
