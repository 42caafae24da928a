"""per-operator sequence counters; id sequences caught up with the ids in use

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 09:12:05.118420

Several gateway nodes may now share one PostgreSQL store: sequence numbers come from a counter
row per operator, ids from each table's own sequence. Both are seeded from the data already
there (the writer of 0001/0002 handed out ids without asking the sequences).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Every table whose id the writer allocates (as of this revision).
ID_TABLES = (
    "operators",
    "queues",
    "customers",
    "identities",
    "conversations",
    "lifecycle_events",
    "timeline_events",
    "products",
    "purchases",
    "touchpoints",
    "audit_log",
    "nba_decisions",
    "nba_outcomes",
)


def upgrade() -> None:
    op.create_table(
        "operator_seqs",
        sa.Column("operator_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("operator_id", name=op.f("pk_operator_seqs")),
    )
    op.execute(
        "INSERT INTO operator_seqs (operator_id, last_seq) "
        "SELECT operator_id, max(seq) FROM operator_events GROUP BY operator_id"
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in ID_TABLES:
        # Only ever forward: the old writer kept its sequence far ahead at each start.
        op.execute(
            f"SELECT setval(s.seq, used.m) "
            f"FROM (SELECT pg_get_serial_sequence('{table}', 'id')::regclass AS seq) AS s, "
            f"(SELECT max(id) AS m FROM {table}) AS used "
            f"WHERE used.m > coalesce(pg_sequence_last_value(s.seq), 0)"
        )


def downgrade() -> None:
    op.drop_table("operator_seqs")
