"""The service catalogue: request forms in progress, their answers, approvals

Revision ID: 0011_catalogue
Revises: 0010_incidents
"""

from __future__ import annotations

revision = "0011_catalogue"
down_revision = "0010_incidents"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
