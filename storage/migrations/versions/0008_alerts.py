"""Monitoring alerts: clients' API keys (their SHA-256 only) and alert keys with
their incident tickets, unique per client and key

Revision ID: 0008_alerts
Revises: 0007_first_day
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_alerts"
down_revision = "0007_first_day"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("client_code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_code"], ["clients.code"], name=op.f("fk_api_keys_client_code_clients")
        ),
        sa.PrimaryKeyConstraint("client_code", "name", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("sha256", name=op.f("uq_api_keys_sha256")),
    )
    op.create_table(
        "monitoring_alerts",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("client_code", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("ticket_id", BIG_ID, nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("first_at", WHEN, nullable=False),
        sa.Column("last_seen_at", WHEN, nullable=False),
        sa.Column("last_repeat_at", WHEN, nullable=False),
        sa.Column("resolved_at", WHEN, nullable=True),
        sa.Column("repeats", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_code"],
            ["clients.code"],
            name=op.f("fk_monitoring_alerts_client_code_clients"),
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_monitoring_alerts_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_alerts")),
        sa.UniqueConstraint("client_code", "key", name=op.f("uq_monitoring_alerts_client_code")),
    )
    op.create_index(
        op.f("ix_monitoring_alerts_ticket_id"), "monitoring_alerts", ["ticket_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_monitoring_alerts_ticket_id"), table_name="monitoring_alerts")
    op.drop_table("monitoring_alerts")
    op.drop_table("api_keys")
