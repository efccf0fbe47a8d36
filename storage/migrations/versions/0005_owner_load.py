"""Open tickets per owner and priority, kept with every ticket change, so that
choosing an owner no longer counts all open tickets

Revision ID: 0005_owner_load
Revises: 0004_load_indexes
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_owner_load"
down_revision = "0004_load_indexes"
branch_labels = None
depends_on = None

OPEN = ("new", "in_progress", "waiting")  # desk.enums.OPEN_STATUSES at this revision


def upgrade() -> None:
    op.create_table(
        "owner_load",
        sa.Column("owner_id", sa.BigInteger(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("open_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("owner_id", "priority", name=op.f("pk_owner_load")),
    )
    op.execute(
        "INSERT INTO owner_load (owner_id, priority, open_count) "
        "SELECT owner_id, priority, count(*) FROM tickets "
        f"WHERE status IN ({', '.join(repr(s) for s in OPEN)}) GROUP BY owner_id, priority"
    )


def downgrade() -> None:
    op.drop_table("owner_load")
