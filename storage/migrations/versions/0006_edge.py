"""The edge: update claims keyed by bot and content (not the bare update id),
updates that could not be read, revoked page links, outsider replies, rebind
offers, and a count of user messages that never reached the staff topic

Revision ID: 0006_edge
Revises: 0005_owner_load
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_edge"
down_revision = "0005_owner_load"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    # Claims by the bare id dropped new updates whose id was reused; they are
    # only worth keeping while Telegram may re-deliver, so none carry over.
    op.drop_table("processed_updates")
    op.create_table(
        "update_claims",
        sa.Column("bot_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("update_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=True),
        sa.Column("claimed_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("bot_id", "key", name=op.f("pk_update_claims")),
    )
    op.create_index("ix_update_claims_claimed_at", "update_claims", ["claimed_at"])
    op.create_table(
        "bad_updates",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("bot_id", sa.BigInteger(), nullable=False),
        sa.Column("update_id", sa.BigInteger(), nullable=True),
        sa.Column("received_at", WHEN, nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bad_updates")),
    )
    op.create_index(op.f("ix_bad_updates_received_at"), "bad_updates", ["received_at"])
    op.create_table(
        "link_revocations",
        sa.Column("client_code", sa.String(length=16), nullable=False),
        sa.Column("manager_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("revoked_at", WHEN, nullable=False),
        sa.Column("revoked_by", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("client_code", "manager_id", name=op.f("pk_link_revocations")),
    )
    op.create_table(
        "outsider_replies",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("replied_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("chat_id", "user_id", name=op.f("pk_outsider_replies")),
    )
    op.create_table(
        "rebind_offers",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("client_code", sa.String(length=16), nullable=False),
        sa.Column("offered_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_rebind_offers")),
    )
    with op.batch_alter_table("ticket_topics") as batch:
        batch.add_column(
            sa.Column("undelivered", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("ticket_topics") as batch:
        batch.drop_column("undelivered")
    op.drop_table("rebind_offers")
    op.drop_table("outsider_replies")
    op.drop_table("link_revocations")
    op.drop_index(op.f("ix_bad_updates_received_at"), table_name="bad_updates")
    op.drop_table("bad_updates")
    op.drop_index("ix_update_claims_claimed_at", table_name="update_claims")
    op.drop_table("update_claims")
    op.create_table(
        "processed_updates",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("processed_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_processed_updates")),
    )
