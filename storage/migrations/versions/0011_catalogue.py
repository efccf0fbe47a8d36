"""The service catalogue: contracts' request types, clients' people and approvers,
forms being filled in, a ticket's form answers, approvals and their votes

Revision ID: 0011_catalogue
Revises: 0010_incidents
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_catalogue"
down_revision = "0010_incidents"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "catalogues",
        sa.Column("contract", sa.String(length=64), nullable=False),
        sa.Column("types", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("contract", name=op.f("pk_catalogues")),
    )
    op.create_table(
        "client_people",
        sa.Column("client_code", sa.String(length=16), nullable=False),
        sa.Column("people", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("client_code", name=op.f("pk_client_people")),
    )
    op.create_table(
        "form_drafts",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("client_code", sa.String(length=16), nullable=False),
        sa.Column("type_code", sa.String(length=24), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("draft_id", sa.BigInteger(), nullable=True),
        sa.Column("first_text", sa.Text(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_drafts")),
        sa.UniqueConstraint("user_id", name=op.f("uq_form_drafts_user_id")),
    )
    op.create_index(op.f("ix_form_drafts_updated_at"), "form_drafts", ["updated_at"], unique=False)
    op.create_table(
        "ticket_forms",
        sa.Column("ticket_id", BIG_ID, nullable=False),
        sa.Column("type_code", sa.String(length=24), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_ticket_forms_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("ticket_id", name=op.f("pk_ticket_forms")),
    )
    op.create_table(
        "approvals",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("ticket_id", BIG_ID, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("type_code", sa.String(length=24), nullable=False),
        sa.Column("rule", sa.String(length=8), nullable=False),
        sa.Column("asked", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("resume_status", sa.String(length=16), nullable=False),
        sa.Column("requested_at", WHEN, nullable=False),
        sa.Column("reminded_at", WHEN, nullable=True),
        sa.Column("escalated_at", WHEN, nullable=True),
        sa.Column("decided_at", WHEN, nullable=True),
        sa.Column("decided_by", sa.BigInteger(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("waited_minutes", sa.Integer(), nullable=True),
        sa.Column("design_chat_id", sa.BigInteger(), nullable=True),
        sa.Column("design_message_id", sa.BigInteger(), nullable=True),
        sa.Column("design_name", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_approvals_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_approvals")),
    )
    op.create_index(op.f("ix_approvals_ticket_id"), "approvals", ["ticket_id"], unique=False)
    op.create_index(op.f("ix_approvals_state"), "approvals", ["state"], unique=False)
    op.create_table(
        "approval_votes",
        sa.Column("approval_id", BIG_ID, nullable=False),
        sa.Column("telegram_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["approval_id"],
            ["approvals.id"],
            name=op.f("fk_approval_votes_approval_id_approvals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("approval_id", "telegram_id", name=op.f("pk_approval_votes")),
    )


def downgrade() -> None:
    op.drop_table("approval_votes")
    op.drop_index(op.f("ix_approvals_state"), table_name="approvals")
    op.drop_index(op.f("ix_approvals_ticket_id"), table_name="approvals")
    op.drop_table("approvals")
    op.drop_table("ticket_forms")
    op.drop_index(op.f("ix_form_drafts_updated_at"), table_name="form_drafts")
    op.drop_table("form_drafts")
    op.drop_table("client_people")
    op.drop_table("catalogues")
