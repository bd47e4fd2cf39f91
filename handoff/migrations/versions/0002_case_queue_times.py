"""case queue times: cases.queued_at (queue order, waiting time) and cases.closed_at

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("queued_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE cases SET queued_at = created_at WHERE queued_at IS NULL")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index("ix_cases_status_queued", ["status", "priority", "queued_at"], unique=False)
    with op.batch_alter_table("messages", schema=None) as batch_op:
        # Catalogue gaps: the bot's unanswered replies by intent and time.
        batch_op.create_index("ix_messages_sender_intent", ["sender", "intent", "created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_sender_intent")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_status_queued")
        batch_op.drop_column("closed_at")
        batch_op.drop_column("queued_at")
