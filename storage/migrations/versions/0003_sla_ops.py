"""SLA operations: watcher schedule and alert claims, contract terms, client
managers, report files and sending, satisfaction surveys

Revision ID: 0003_sla_ops
Revises: 0002_messaging
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_sla_ops"
down_revision = "0002_messaging"
branch_labels = None
depends_on = None

# storage.tables.BigId: a 64-bit key that SQLite still autoincrements.
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = sa.DateTime(timezone=True)


def _ticket_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["ticket_id"],
        ["tickets.id"],
        name=op.f(f"fk_{table}_ticket_id_tickets"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "contract_terms",
        sa.Column("contract", sa.String(length=64), nullable=False),
        sa.Column("terms", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("contract", name=op.f("pk_contract_terms")),
    )
    op.create_table(
        "client_managers",
        sa.Column("client_code", sa.String(length=16), nullable=False),
        sa.Column("telegram_id", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("client_code", "telegram_id", name=op.f("pk_client_managers")),
    )
    op.create_index(
        op.f("ix_client_managers_telegram_id"), "client_managers", ["telegram_id"], unique=False
    )
    op.create_table(
        "sla_watch",
        sa.Column("ticket_id", BIG_ID, nullable=False),
        sa.Column("seen_updated_at", WHEN, nullable=False),
        sa.Column("next_at", WHEN, nullable=True),
        _ticket_fk("sla_watch"),
        sa.PrimaryKeyConstraint("ticket_id", name=op.f("pk_sla_watch")),
    )
    op.create_index(op.f("ix_sla_watch_next_at"), "sla_watch", ["next_at"], unique=False)
    op.create_table(
        "alerts_sent",
        sa.Column("ticket_id", BIG_ID, nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("sent_at", WHEN, nullable=False),
        _ticket_fk("alerts_sent"),
        sa.PrimaryKeyConstraint("ticket_id", "key", name=op.f("pk_alerts_sent")),
    )
    op.create_table(
        "report_files",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("client_code", sa.String(length=16), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("filename", sa.String(length=128), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_files")),
    )
    op.create_index(
        "ix_report_files_client", "report_files", ["client_code", "period"], unique=False
    )
    op.create_table(
        "reports_sent",
        sa.Column("client_code", sa.String(length=16), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("sent_at", WHEN, nullable=False),
        sa.Column("file_id", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("client_code", "period", name=op.f("pk_reports_sent")),
    )
    op.create_table(
        "surveys",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("client_code", sa.String(length=16), nullable=False),
        sa.Column("started_at", WHEN, nullable=False),
        sa.Column("questions", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_surveys")),
    )
    op.create_index(op.f("ix_surveys_client_code"), "surveys", ["client_code"], unique=False)
    op.create_table(
        "survey_answers",
        sa.Column("survey_id", BIG_ID, nullable=False),
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("question", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("answered_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_id"],
            ["surveys.id"],
            name=op.f("fk_survey_answers_survey_id_surveys"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("survey_id", "user_id", "question", name=op.f("pk_survey_answers")),
    )
    # Reports group a client's tickets by creation time.
    op.create_index(
        "ix_tickets_client_created", "tickets", ["client_code", "created_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_tickets_client_created", table_name="tickets")
    op.drop_table("survey_answers")
    op.drop_index(op.f("ix_surveys_client_code"), table_name="surveys")
    op.drop_table("surveys")
    op.drop_table("reports_sent")
    op.drop_index("ix_report_files_client", table_name="report_files")
    op.drop_table("report_files")
    op.drop_table("alerts_sent")
    op.drop_index(op.f("ix_sla_watch_next_at"), table_name="sla_watch")
    op.drop_table("sla_watch")
    op.drop_index(op.f("ix_client_managers_telegram_id"), table_name="client_managers")
    op.drop_table("client_managers")
    op.drop_table("contract_terms")
