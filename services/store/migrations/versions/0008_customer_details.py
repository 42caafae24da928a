"""customer details: orders' delivery and status history, line quantities, who stated a claim

Revision ID: 0008
Revises: 0009
Create Date: 2026-12-04 18:50:00.000000

An order (the purchases sharing an order number) gets how it travels (``order_deliveries``)
and the steps of its life (``order_status_history``); a purchase line its quantity. A claimed
identity records who stated it: the customer or an operator (``customer.add_contact``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0009"
branch_labels = None
depends_on = None

BigID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "order_deliveries",
        sa.Column("id", BigID, nullable=False),
        sa.Column("customer_id", BigID, nullable=False),
        sa.Column("order_number", sa.String(length=64), nullable=False),
        sa.Column("method", sa.String(length=24), nullable=False),
        sa.Column("carrier", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("tracking", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_order_deliveries_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_deliveries")),
        sa.UniqueConstraint(
            "customer_id", "order_number", name=op.f("uq_order_deliveries_customer_id_order_number")
        ),
    )
    op.create_table(
        "order_status_history",
        sa.Column("id", BigID, nullable=False),
        sa.Column("customer_id", BigID, nullable=False),
        sa.Column("order_number", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_order_status_history_customer_id_customers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_status_history")),
    )
    with op.batch_alter_table("order_status_history", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_order_status_history_customer_id_order_number_at"),
            ["customer_id", "order_number", "at"],
            unique=False,
        )
    with op.batch_alter_table("purchases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("quantity", sa.Integer(), server_default="1", nullable=False))
    with op.batch_alter_table("identity_claims", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("source", sa.String(length=16), server_default="customer", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("identity_claims", schema=None) as batch_op:
        batch_op.drop_column("source")
    with op.batch_alter_table("purchases", schema=None) as batch_op:
        batch_op.drop_column("quantity")
    with op.batch_alter_table("order_status_history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_status_history_customer_id_order_number_at"))
    op.drop_table("order_status_history")
    op.drop_table("order_deliveries")
