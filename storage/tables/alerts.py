"""Monitoring alerts: the API keys of a client's monitoring (hashed) and what the
desk remembers of each alert key (revision ``0008_alerts``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.tables._base import Base, BigId


class ApiKeyRow(Base):
    """A client's API key by name: only its SHA-256 (hex) is kept, as in the config."""

    __tablename__ = "api_keys"

    client_code: Mapped[str] = mapped_column(
        String(16), ForeignKey("clients.code"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)


class MonitoringAlertRow(Base):
    """One alert key of a client and its incident ticket. Unique per (client, key):
    a retry, or two requests racing, finds the row instead of making a second ticket."""

    __tablename__ = "monitoring_alerts"
    __table_args__ = (UniqueConstraint("client_code", "key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    client_code: Mapped[str] = mapped_column(String(16), ForeignKey("clients.code"))
    key: Mapped[str] = mapped_column(String(200))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))  # desk.alerts.AlertStatus
    source: Mapped[str | None] = mapped_column(String(200))
    first_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    last_repeat_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    repeats: Mapped[int] = mapped_column(default=0)
