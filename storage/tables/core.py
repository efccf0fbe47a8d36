"""The core tables: schedules, contracts, teams, clients, staff, invites, users,
ticket counters, assignment, tickets and the audit trail (revision ``0001_core``
and the later ones that touch them)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.tables._base import Base, BigId


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
    # Corrections of the production calendar from the config: {"YYYY-MM-DD": kind}
    calendar_changes: Mapped[dict[str, str] | None] = mapped_column(JSON)


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
    messengers: Mapped[list[str] | None] = mapped_column(JSON)  # None: Telegram alone


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
    initial_priority: Mapped[int | None]  # at registration
    peak_priority: Mapped[int | None]  # the highest it ever had (lowest number)
    reply_chat: Mapped[int | None] = mapped_column(BigInteger)  # desk.channels key
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
