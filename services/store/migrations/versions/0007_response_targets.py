"""response targets per queue and channel; what a conversation owes the customer

Revision ID: 0007
Revises: 0008
Create Date: 2026-12-04 19:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0008"
branch_labels = None
depends_on = None

OPEN = ("queued", "offered", "active", "held", "wrap_up")


def upgrade() -> None:
    with op.batch_alter_table("queues", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("response_targets", sa.JSON(), server_default="{}", nullable=False)
        )
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("awaiting_since", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("sla_breached_at", sa.DateTime(timezone=True), nullable=True))
    # Open conversations: the customer's oldest message that no reply followed.
    states = ", ".join(f"'{s}'" for s in OPEN)
    op.execute(
        f"""
        UPDATE conversations SET awaiting_since = (
            SELECT MIN(t.created_at) FROM timeline_events t
            WHERE t.conversation_id = conversations.id AND t.direction = 'in'
              AND NOT EXISTS (
                  SELECT 1 FROM timeline_events o
                  WHERE o.conversation_id = conversations.id AND o.direction = 'out'
                    AND o.created_at >= t.created_at
              )
        )
        WHERE state IN ({states})
        """
    )


def downgrade() -> None:
    with op.batch_alter_table("conversations", schema=None) as batch_op:
        batch_op.drop_column("sla_breached_at")
        batch_op.drop_column("awaiting_since")
    with op.batch_alter_table("queues", schema=None) as batch_op:
        batch_op.drop_column("response_targets")
