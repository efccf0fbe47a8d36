"""Leases: an outbox lane or a bot's long polling held by one instance until a time

Revision ID: 0012_leases
Revises: 0011_catalogue
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_leases"
down_revision = "0011_catalogue"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "leases",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=96), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_leases")),
    )
    op.create_index(op.f("ix_leases_holder"), "leases", ["holder"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_leases_holder"), table_name="leases")
    op.drop_table("leases")
