"""Channels: a user's address per messenger, the messenger of a ticket and of an outbox row

Revision ID: 0009_channels
Revises: 0008_alerts
"""

from __future__ import annotations

revision = "0009_channels"
down_revision = "0008_alerts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
