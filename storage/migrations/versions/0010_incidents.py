"""Mass incidents: links of reports to an incident, and what each linked user was told

Revision ID: 0010_incidents
Revises: 0009_channels
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_incidents"
down_revision = "0009_channels"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "mass_incidents",
        sa.Column("ticket_id", BIG_ID, autoincrement=False, nullable=False),
        sa.Column("client_code", sa.String(length=16), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("declared_by", sa.String(length=64), nullable=False),
        sa.Column("declared_at", WHEN, nullable=False),
        sa.Column("wide_id", sa.BigInteger(), nullable=True),
        sa.Column("last_line_at", WHEN, nullable=True),
        sa.Column("resolved_at", WHEN, nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_mass_incidents_ticket_id_tickets")
        ),
        sa.ForeignKeyConstraint(
            ["client_code"], ["clients.code"], name=op.f("fk_mass_incidents_client_code_clients")
        ),
        sa.PrimaryKeyConstraint("ticket_id", name=op.f("pk_mass_incidents")),
    )
    op.create_index(
        op.f("ix_mass_incidents_client_code"), "mass_incidents", ["client_code"], unique=False
    )
    op.create_index(op.f("ix_mass_incidents_wide_id"), "mass_incidents", ["wide_id"], unique=False)
    op.create_table(
        "incident_reports",
        sa.Column("report_id", BIG_ID, autoincrement=False, nullable=False),
        sa.Column("incident_id", BIG_ID, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("linked_at", WHEN, nullable=False),
        sa.Column("linked_by", sa.String(length=64), nullable=False),
        sa.Column("line_pending", sa.Boolean(), nullable=False),
        sa.Column("told_at", WHEN, nullable=True),
        sa.ForeignKeyConstraint(
            ["report_id"], ["tickets.id"], name=op.f("fk_incident_reports_report_id_tickets")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["tickets.id"], name=op.f("fk_incident_reports_incident_id_tickets")
        ),
        sa.PrimaryKeyConstraint("report_id", name=op.f("pk_incident_reports")),
    )
    for column in ("incident_id", "state", "line_pending"):
        op.create_index(
            op.f(f"ix_incident_reports_{column}"), "incident_reports", [column], unique=False
        )
    op.create_table(
        "incident_proposals",
        sa.Column("ticket_id", BIG_ID, autoincrement=False, nullable=False),
        sa.Column("client_code", sa.String(length=16), nullable=False),
        sa.Column("members", sa.JSON(), nullable=False),
        sa.Column("proposed_at", WHEN, nullable=False),
        sa.Column("accepted_at", WHEN, nullable=True),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_incident_proposals_ticket_id_tickets")
        ),
        sa.ForeignKeyConstraint(
            ["client_code"],
            ["clients.code"],
            name=op.f("fk_incident_proposals_client_code_clients"),
        ),
        sa.PrimaryKeyConstraint("ticket_id", name=op.f("pk_incident_proposals")),
    )
    op.create_index(
        op.f("ix_incident_proposals_proposed_at"),
        "incident_proposals",
        ["proposed_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_incident_proposals_proposed_at"), table_name="incident_proposals")
    op.drop_table("incident_proposals")
    for column in ("line_pending", "state", "incident_id"):
        op.drop_index(op.f(f"ix_incident_reports_{column}"), table_name="incident_reports")
    op.drop_table("incident_reports")
    op.drop_index(op.f("ix_mass_incidents_wide_id"), table_name="mass_incidents")
    op.drop_index(op.f("ix_mass_incidents_client_code"), table_name="mass_incidents")
    op.drop_table("mass_incidents")
