"""Leases (revision ``0012_leases``): what one instance of several does alone for a while —
an outbox lane (``o:<chat>``), long polling of a bot (``poll:<bot>``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.tables._base import Base


class LeaseRow(Base):
    __tablename__ = "leases"
    __table_args__ = (Index("ix_leases_holder", "holder"),)

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(96))
    until: Mapped[datetime]
