"""Channels: the chat a ticket came from, a person's further addresses (a second
messenger), MAX message ids by dialog and seq, and one-time pairing codes

Revision ID: 0009_channels
Revises: 0008_alerts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_channels"
down_revision = "0008_alerts"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("reply_chat", sa.BigInteger(), nullable=True))
    with op.batch_alter_table("clients") as batch:
        batch.add_column(sa.Column("messengers", sa.JSON(), nullable=True))
    op.create_table(
        "user_addresses",
        sa.Column("key", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("bound_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.telegram_id"], name=op.f("fk_user_addresses_user_id_users")
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_user_addresses")),
    )
    op.create_index(op.f("ix_user_addresses_user_id"), "user_addresses", ["user_id"], unique=False)
    op.create_table(
        "max_messages",
        sa.Column("chat_key", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("mid", sa.String(length=128), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("chat_key", "seq", name=op.f("pk_max_messages")),
    )
    op.create_table(
        "max_markers",
        sa.Column("bot_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("marker", sa.BigInteger(), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("bot_id", name=op.f("pk_max_markers")),
    )
    op.create_table(
        "pairing_codes",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.telegram_id"], name=op.f("fk_pairing_codes_user_id_users")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_pairing_codes")),
    )
    op.create_index(op.f("ix_pairing_codes_user_id"), "pairing_codes", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_pairing_codes_user_id"), table_name="pairing_codes")
    op.drop_table("pairing_codes")
    op.drop_table("max_markers")
    op.drop_table("max_messages")
    op.drop_index(op.f("ix_user_addresses_user_id"), table_name="user_addresses")
    op.drop_table("user_addresses")
    with op.batch_alter_table("clients") as batch:
        batch.drop_column("messengers")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("reply_chat")
