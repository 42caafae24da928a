"""customers merged into others, merge suggestions and the merges made

Revision ID: 0010
Revises: 0005
Create Date: 2026-12-07 23:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0005"
branch_labels = None
depends_on = None

BigID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("customers") as batch:
        batch.add_column(sa.Column("merged_into", BigID, nullable=True))
    op.create_table(
        "merge_suggestions",
        sa.Column("id", BigID, nullable=False),
        sa.Column("customer_id", BigID, nullable=False),
        sa.Column("other_customer_id", BigID, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=320), nullable=False),
        sa.Column("evidence", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", BigID, nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_merge_suggestions")),
        sa.UniqueConstraint(
            "customer_id",
            "other_customer_id",
            "kind",
            "value",
            name=op.f("uq_merge_suggestions_customer_id_other_customer_id_kind_value"),
        ),
    )
    with op.batch_alter_table("merge_suggestions") as batch:
        batch.create_index(batch.f("ix_merge_suggestions_other_customer_id"), ["other_customer_id"])
    op.create_table(
        "customer_merges",
        sa.Column("id", BigID, nullable=False),
        sa.Column("kept_id", BigID, nullable=False),
        sa.Column("merged_id", BigID, nullable=False),
        sa.Column("operator_id", BigID, nullable=True),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("moved", sa.JSON(), nullable=False),
        sa.Column("conflicts", sa.JSON(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("undone_by", BigID, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_merges")),
    )
    with op.batch_alter_table("customer_merges") as batch:
        batch.create_index(batch.f("ix_customer_merges_kept_id"), ["kept_id"])
        batch.create_index(batch.f("ix_customer_merges_merged_id"), ["merged_id"])


def downgrade() -> None:
    op.drop_table("customer_merges")
    op.drop_table("merge_suggestions")
    with op.batch_alter_table("customers") as batch:
        batch.drop_column("merged_into")
