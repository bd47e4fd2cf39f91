"""conversation access: conversations.access_hash (the public API's per-conversation secret)

Revision ID: 0003_conversation_access
Revises: 0002

Conversations of the public API and web chat created before this revision have no secret:
they stay readable by staff in the console but can no longer be reached through the API.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_conversation_access"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("access_hash", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_column("access_hash")
