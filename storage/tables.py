"""SQLAlchemy 2 typed tables.

Other parts of the product add their own tables (each in their own module, with
their own Alembic revision on top of ``0001_core``) on this declarative ``Base``.

Times are stored as UTC (``UtcDateTime``): SQLite keeps them as naive text, so
the type attaches UTC on the way back; PostgreSQL keeps ``timestamptz``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Stable constraint names, so that migrations can refer to them on every backend.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# A 64-bit autoincrement key: SQLite only autoincrements an INTEGER PRIMARY KEY.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime kept in UTC on every backend."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: store timezone-aware times only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: dict[Any, Any] = {  # noqa: RUF012 (SQLAlchemy's own hook)
        datetime: UtcDateTime(),
        int: Integer(),
        str: String(),
    }


class ScheduleRow(Base):
    __tablename__ = "schedules"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    timezone: Mapped[str] = mapped_column(String(64))
    round_the_clock: Mapped[bool] = mapped_column(Boolean, default=False)
    hours_start: Mapped[int]
    hours_end: Mapped[int]
    breaks: Mapped[list[list[int]]] = mapped_column(JSON)  # [[start, end], ...] in minutes
    calendar: Mapped[str | None] = mapped_column(String(8))
    close_until: Mapped[int | None]
    close_last: Mapped[int | None]
    close_first: Mapped[int | None]


class ContractRow(Base):
    __tablename__ = "contracts"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    schedule: Mapped[str] = mapped_column(ForeignKey("schedules.name"))
    contacts: Mapped[dict[str, str]] = mapped_column(JSON)


class ContractTargetRow(Base):
    __tablename__ = "contract_targets"

    contract: Mapped[str] = mapped_column(
        ForeignKey("contracts.name", ondelete="CASCADE"), primary_key=True
    )
    priority: Mapped[int] = mapped_column(primary_key=True)
    reaction_minutes: Mapped[int | None]
    resolution_minutes: Mapped[int | None]
    round_the_clock: Mapped[bool] = mapped_column(Boolean, default=False)


class TeamRow(Base):
    __tablename__ = "teams"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    lead: Mapped[int | None] = mapped_column(BigInteger)
    lead_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    duty: Mapped[int | None] = mapped_column(BigInteger)


class ClientRow(Base):
    __tablename__ = "clients"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    contract: Mapped[str] = mapped_column(ForeignKey("contracts.name"))
    team: Mapped[str] = mapped_column(ForeignKey("teams.name"))


class StaffRow(Base):
    __tablename__ = "staff"

    telegram_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    team: Mapped[str] = mapped_column(ForeignKey("teams.name"), index=True)
    line: Mapped[int]
    username: Mapped[str | None] = mapped_column(String(64))
    shift: Mapped[str | None] = mapped_column(ForeignKey("schedules.name"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class InviteRow(Base):
    __tablename__ = "invites"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    client: Mapped[str] = mapped_column(ForeignKey("clients.code"))


class UserRow(Base):
    """A Telegram user bound to a client company through an invite."""

    __tablename__ = "users"

    telegram_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    client_code: Mapped[str] = mapped_column(ForeignKey("clients.code"), index=True)
    first_name: Mapped[str] = mapped_column(String(200))
    username: Mapped[str | None] = mapped_column(String(64))
    joined_at: Mapped[datetime]


class TicketCounterRow(Base):
    """The last ticket number given per client; only ever incremented."""

    __tablename__ = "ticket_counters"

    client_code: Mapped[str] = mapped_column(ForeignKey("clients.code"), primary_key=True)
    last_number: Mapped[int] = mapped_column(default=0)


class AssignmentCursorRow(Base):
    """Who got the team's last new ticket (round-robin tie-break)."""

    __tablename__ = "assignment_cursors"

    team: Mapped[str] = mapped_column(
        ForeignKey("teams.name", ondelete="CASCADE"), primary_key=True
    )
    last_assigned: Mapped[int | None] = mapped_column(BigInteger)


class OwnerLoadRow(Base):
    """How many open tickets of each priority a consultant owns: kept by
    ``TicketRepository`` with every ticket it adds or saves, so choosing an
    owner reads a few rows however many tickets are open."""

    __tablename__ = "owner_load"

    owner_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    priority: Mapped[int] = mapped_column(primary_key=True)
    open_count: Mapped[int] = mapped_column(default=0)


class TicketRow(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_client_status", "client_code", "status"),
        # Covers the owner load count of every registration (no table reads).
        Index("ix_tickets_owner_load", "owner_id", "status", "priority"),
        Index("ix_tickets_requester", "requester_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    client_code: Mapped[str] = mapped_column(ForeignKey("clients.code"))
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.telegram_id"))
    subject: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    priority: Mapped[int]
    category: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    owner_id: Mapped[int] = mapped_column(ForeignKey("staff.telegram_id"))
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # The SLA (desk.model.SlaState), one column per field.
    sla_started_at: Mapped[datetime | None]
    reaction_due: Mapped[datetime | None]
    resolution_due: Mapped[datetime | None]
    reacted_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    paused_at: Mapped[datetime | None]
    paused_minutes: Mapped[int] = mapped_column(default=0)
    reaction_breached: Mapped[bool] = mapped_column(Boolean, default=False)
    resolution_breached: Mapped[bool] = mapped_column(Boolean, default=False)
    reaction_minutes: Mapped[int | None]
    resolution_minutes: Mapped[int | None]
    reaction_target: Mapped[int | None]
    resolution_target: Mapped[int | None]


class AuditEventRow(Base):
    """Append-only; ``hash`` seals the event and the ``prev_hash`` before it.

    One global chain in ``id`` order (config events included), so a removed
    event shows wherever it was, whichever ticket it belonged to.
    """

    __tablename__ = "audit_events"
    # A ticket's trail; with ticket_id NULL and actor "config", the newest
    # config event (the directory's version) without reading other events.
    __table_args__ = (Index("ix_audit_events_ticket_actor", "ticket_id", "actor"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]
    what: Mapped[str] = mapped_column(String(64))
    old: Mapped[str | None] = mapped_column(Text)
    new: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditHeadRow(Base):
    """The chain's last event (one row): appends lock it, and it reveals a
    removed tail that the chain alone could not."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)  # always 1
    last_id: Mapped[int | None] = mapped_column(BigInteger)
    last_hash: Mapped[str] = mapped_column(String(64))
    count: Mapped[int] = mapped_column(BigInteger, default=0)
