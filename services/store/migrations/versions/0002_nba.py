"""next-best-action decisions and outcomes

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 10:56:33.469781
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "nba_decisions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("hint_id", sa.String(length=32), nullable=False),
        sa.Column(
            "customer_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("operator_id", sa.BigInteger(), nullable=False),
        sa.Column("conversation_id", sa.BigInteger(), nullable=True),
        sa.Column("action", sa.String(length=48), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("p_sample", sa.Float(), nullable=False),
        sa.Column("shown_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_nba_decisions_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nba_decisions")),
        sa.UniqueConstraint("hint_id", name=op.f("uq_nba_decisions_hint_id")),
    )
    with op.batch_alter_table("nba_decisions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_nba_decisions_customer_id_shown_at"),
            ["customer_id", "shown_at"],
            unique=False,
        )

    op.create_table(
        "nba_outcomes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("hint_id", sa.String(length=32), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("operator_id", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["hint_id"],
            ["nba_decisions.hint_id"],
            name=op.f("fk_nba_outcomes_hint_id_nba_decisions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nba_outcomes")),
        sa.UniqueConstraint("hint_id", name=op.f("uq_nba_outcomes_hint_id")),
    )
    with op.batch_alter_table("nba_outcomes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_nba_outcomes_at"), ["at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("nba_outcomes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nba_outcomes_at"))

    op.drop_table("nba_outcomes")
    with op.batch_alter_table("nba_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nba_decisions_customer_id_shown_at"))

    op.drop_table("nba_decisions")
