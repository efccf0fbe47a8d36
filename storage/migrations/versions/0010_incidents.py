"""Mass incidents: links of reports to an incident, and what each linked user was told

Revision ID: 0010_incidents
Revises: 0009_channels
"""

from __future__ import annotations

revision = "0010_incidents"
down_revision = "0009_channels"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
