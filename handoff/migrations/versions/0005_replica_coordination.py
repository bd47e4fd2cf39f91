"""replica coordination: answer leases, event cursor, shared state, idempotent requests

Revision ID: 0005_replica_coordination
Revises: 0004_shared_limits

Several replicas share one database: a push channel's unanswered message carries a lease
(``answer_due``/``answer_owner``) that running replicas claim when it expires; the console's
feed reads ``case_events.seq`` (given in commit order); ``shared_state`` keeps what the
replicas agree on (the registered webhooks); ``idempotent_requests`` the API's stored
answers by ``Idempotency-Key``. Existing events get their id as seq; existing messages owe
nothing.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_replica_coordination"
down_revision = "0004_shared_limits"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("answer_due", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("answer_owner", sa.String(length=40), nullable=True))
        batch_op.create_index("ix_messages_answer_due", ["answer_due"], unique=False)
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.BigInteger(), nullable=True))
        batch_op.create_index("ix_case_events_seq", ["seq"], unique=True)
    op.execute("UPDATE case_events SET seq = id")
    op.create_table(
        "shared_state",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_table(
        "idempotent_requests",
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("conversation_id", sa.String(length=64), nullable=True),
        sa.Column("inbound_id", sa.Integer(), nullable=True),
        sa.Column("response", sa.JSON(), nullable=True),
        sa.Column("masked_token", sa.String(length=128), nullable=True),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key_hash"),
    )
    with op.batch_alter_table("idempotent_requests", schema=None) as batch_op:
        batch_op.create_index("ix_idempotent_requests_expires", ["expires_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("idempotent_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_idempotent_requests_expires")
    op.drop_table("idempotent_requests")
    op.drop_table("shared_state")
    with op.batch_alter_table("case_events", schema=None) as batch_op:
        batch_op.drop_index("ix_case_events_seq")
        batch_op.drop_column("seq")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_answer_due")
        batch_op.drop_column("answer_owner")
        batch_op.drop_column("answer_due")
