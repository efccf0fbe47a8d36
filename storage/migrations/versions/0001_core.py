"""Core tables: configuration, users, tickets, counters, audit trail

Revision ID: 0001_core
Revises:
Create Date: 2026-11-28 05:38:06.461772
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = "0001_core"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_id", sa.BigInteger(), nullable=True),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    # The audit chain starts empty at the genesis hash (desk.audit.GENESIS).
    op.execute(
        "INSERT INTO audit_head (id, last_id, last_hash, count) VALUES (1, NULL, '"
        + "0" * 64
        + "', 0)"
    )
    op.create_table(
        "schedules",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("round_the_clock", sa.Boolean(), nullable=False),
        sa.Column("hours_start", sa.Integer(), nullable=False),
        sa.Column("hours_end", sa.Integer(), nullable=False),
        sa.Column("breaks", sa.JSON(), nullable=False),
        sa.Column("calendar", sa.String(length=8), nullable=True),
        sa.Column("close_until", sa.Integer(), nullable=True),
        sa.Column("close_last", sa.Integer(), nullable=True),
        sa.Column("close_first", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_schedules")),
    )
    op.create_table(
        "teams",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("lead", sa.BigInteger(), nullable=True),
        sa.Column("lead_chat_id", sa.BigInteger(), nullable=True),
        sa.Column("duty", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_teams")),
    )
    op.create_table(
        "assignment_cursors",
        sa.Column("team", sa.String(length=64), nullable=False),
        sa.Column("last_assigned", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["team"],
            ["teams.name"],
            name=op.f("fk_assignment_cursors_team_teams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("team", name=op.f("pk_assignment_cursors")),
    )
    op.create_table(
        "contracts",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("schedule", sa.String(length=64), nullable=False),
        sa.Column("contacts", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["schedule"], ["schedules.name"], name=op.f("fk_contracts_schedule_schedules")
        ),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_contracts")),
    )
    op.create_table(
        "staff",
        sa.Column("telegram_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("team", sa.String(length=64), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=True),
        sa.Column("shift", sa.String(length=64), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["shift"], ["schedules.name"], name=op.f("fk_staff_shift_schedules")
        ),
        sa.ForeignKeyConstraint(["team"], ["teams.name"], name=op.f("fk_staff_team_teams")),
        sa.PrimaryKeyConstraint("telegram_id", name=op.f("pk_staff")),
    )
    op.create_index(op.f("ix_staff_team"), "staff", ["team"], unique=False)
    op.create_table(
        "clients",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("contract", sa.String(length=64), nullable=False),
        sa.Column("team", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract"], ["contracts.name"], name=op.f("fk_clients_contract_contracts")
        ),
        sa.ForeignKeyConstraint(["team"], ["teams.name"], name=op.f("fk_clients_team_teams")),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_clients")),
    )
    op.create_table(
        "contract_targets",
        sa.Column("contract", sa.String(length=64), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("reaction_minutes", sa.Integer(), nullable=True),
        sa.Column("resolution_minutes", sa.Integer(), nullable=True),
        sa.Column("round_the_clock", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract"],
            ["contracts.name"],
            name=op.f("fk_contract_targets_contract_contracts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("contract", "priority", name=op.f("pk_contract_targets")),
    )
    op.create_table(
        "invites",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("client", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["client"], ["clients.code"], name=op.f("fk_invites_client_clients")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_invites")),
    )
    op.create_table(
        "ticket_counters",
        sa.Column("client_code", sa.String(length=16), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_code"], ["clients.code"], name=op.f("fk_ticket_counters_client_code_clients")
        ),
        sa.PrimaryKeyConstraint("client_code", name=op.f("pk_ticket_counters")),
    )
    op.create_table(
        "users",
        sa.Column("telegram_id", sa.BigInteger(), nullable=False),
        sa.Column("client_code", sa.String(length=16), nullable=False),
        sa.Column("first_name", sa.String(length=200), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=True),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_code"], ["clients.code"], name=op.f("fk_users_client_code_clients")
        ),
        sa.PrimaryKeyConstraint("telegram_id", name=op.f("pk_users")),
    )
    op.create_index(op.f("ix_users_client_code"), "users", ["client_code"], unique=False)
    op.create_table(
        "tickets",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("client_code", sa.String(length=16), nullable=False),
        sa.Column("requester_id", sa.BigInteger(), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("owner_id", sa.BigInteger(), nullable=False),
        sa.Column("escalated", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sla_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reaction_due", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolution_due", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reacted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paused_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paused_minutes", sa.Integer(), nullable=False),
        sa.Column("reaction_breached", sa.Boolean(), nullable=False),
        sa.Column("resolution_breached", sa.Boolean(), nullable=False),
        sa.Column("reaction_minutes", sa.Integer(), nullable=True),
        sa.Column("resolution_minutes", sa.Integer(), nullable=True),
        sa.Column("reaction_target", sa.Integer(), nullable=True),
        sa.Column("resolution_target", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_code"], ["clients.code"], name=op.f("fk_tickets_client_code_clients")
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["staff.telegram_id"], name=op.f("fk_tickets_owner_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["requester_id"], ["users.telegram_id"], name=op.f("fk_tickets_requester_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tickets")),
        sa.UniqueConstraint("number", name=op.f("uq_tickets_number")),
    )
    op.create_index("ix_tickets_client_status", "tickets", ["client_code", "status"], unique=False)
    op.create_index("ix_tickets_owner_status", "tickets", ["owner_id", "status"], unique=False)
    op.create_index("ix_tickets_requester", "tickets", ["requester_id"], unique=False)
    op.create_table(
        "audit_events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("ticket_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("what", sa.String(length=64), nullable=False),
        sa.Column("old", sa.Text(), nullable=True),
        sa.Column("new", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_audit_events_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_events_hash")),
    )
    op.create_index(op.f("ix_audit_events_ticket_id"), "audit_events", ["ticket_id"], unique=False)


def downgrade() -> None:
    op.drop_table("audit_events")
    op.drop_table("tickets")
    op.drop_table("users")
    op.drop_table("ticket_counters")
    op.drop_table("invites")
    op.drop_table("contract_targets")
    op.drop_table("clients")
    op.drop_table("staff")
    op.drop_table("contracts")
    op.drop_table("assignment_cursors")
    op.drop_table("teams")
    op.drop_table("schedules")
    op.drop_table("audit_head")
