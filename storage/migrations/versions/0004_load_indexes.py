"""Indexes for the registration path: the owner load count reads the index
only, and the directory version is found without scanning ticketless events

Revision ID: 0004_load_indexes
Revises: 0003_sla_ops
"""

from __future__ import annotations

from alembic import op

revision = "0004_load_indexes"
down_revision = "0003_sla_ops"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_tickets_owner_load", "tickets", ["owner_id", "status", "priority"], unique=False
    )
    op.drop_index("ix_tickets_owner_status", table_name="tickets")
    op.create_index(
        "ix_audit_events_ticket_actor", "audit_events", ["ticket_id", "actor"], unique=False
    )
    op.drop_index(op.f("ix_audit_events_ticket_id"), table_name="audit_events")


def downgrade() -> None:
    op.create_index(
        op.f("ix_audit_events_ticket_id"), "audit_events", ["ticket_id"], unique=False
    )
    op.drop_index("ix_audit_events_ticket_actor", table_name="audit_events")
    op.create_index("ix_tickets_owner_status", "tickets", ["owner_id", "status"], unique=False)
    op.drop_index("ix_tickets_owner_load", table_name="tickets")
