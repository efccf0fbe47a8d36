"""A ticket's priority at registration and the highest it ever had (SLA may be
measured against either); corrections of a schedule's production calendar

Revision ID: 0007_first_day
Revises: 0006_edge
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_first_day"
down_revision = "0006_edge"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets") as batch:
        batch.add_column(sa.Column("initial_priority", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("peak_priority", sa.Integer(), nullable=True))
    # Tickets registered before: their priority history is in the audit trail;
    # the current priority is the best guess at both.
    op.execute("UPDATE tickets SET initial_priority = priority, peak_priority = priority")
    with op.batch_alter_table("schedules") as batch:
        batch.add_column(sa.Column("calendar_changes", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("schedules") as batch:
        batch.drop_column("calendar_changes")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("peak_priority")
        batch.drop_column("initial_priority")
