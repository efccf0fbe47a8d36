"""Rows to ``desk`` objects and back (repositories never hand out ORM rows)."""

from __future__ import annotations

from datetime import date
from typing import Any

from desk.calendar import DayKind
from desk.enums import Category, Priority, Status
from desk.model import (
    AuditEvent,
    Client,
    CloseDays,
    Line,
    ScheduleSpec,
    SlaState,
    Staff,
    Team,
    Ticket,
    TimeRange,
    User,
)
from storage.tables import (
    AuditEventRow,
    ClientRow,
    ScheduleRow,
    StaffRow,
    TeamRow,
    TicketRow,
    UserRow,
)


def schedule_from_row(row: ScheduleRow) -> ScheduleSpec:
    close = None
    if row.close_until is not None:
        close = CloseDays(row.close_until, row.close_last or 0, row.close_first or 0)
    return ScheduleSpec(
        name=row.name,
        timezone=row.timezone,
        round_the_clock=row.round_the_clock,
        hours=TimeRange(row.hours_start, row.hours_end),
        breaks=tuple(TimeRange(start, end) for start, end in row.breaks),
        calendar=row.calendar,
        close_days=close,
        calendar_changes=tuple(
            sorted(
                (date.fromisoformat(d), DayKind(k)) for d, k in (row.calendar_changes or {}).items()
            )
        ),
    )


def schedule_to_row(spec: ScheduleSpec) -> ScheduleRow:
    close = spec.close_days
    return ScheduleRow(
        name=spec.name,
        timezone=spec.timezone,
        round_the_clock=spec.round_the_clock,
        hours_start=spec.hours.start,
        hours_end=spec.hours.end,
        breaks=[[b.start, b.end] for b in spec.breaks],
        calendar=spec.calendar,
        close_until=None if close is None else close.until,
        close_last=None if close is None else close.last,
        close_first=None if close is None else close.first,
        calendar_changes={d.isoformat(): k.value for d, k in spec.calendar_changes} or None,
    )


def team_from_row(row: TeamRow) -> Team:
    return Team(row.name, row.chat_id, row.lead, row.lead_chat_id, row.duty)


def team_to_row(team: Team) -> TeamRow:
    return TeamRow(
        name=team.name,
        chat_id=team.chat_id,
        lead=team.lead,
        lead_chat_id=team.lead_chat_id,
        duty=team.duty,
    )


def client_from_row(row: ClientRow) -> Client:
    messengers = tuple(row.messengers) if row.messengers else ("telegram",)
    return Client(row.code, row.name, row.timezone, row.contract, row.team, messengers)


def client_to_row(client: Client) -> ClientRow:
    return ClientRow(
        code=client.code,
        name=client.name,
        timezone=client.timezone,
        contract=client.contract,
        team=client.team,
        messengers=list(client.messengers),
    )


def staff_from_row(row: StaffRow) -> Staff:
    return Staff(
        telegram_id=row.telegram_id,
        name=row.name,
        team=row.team,
        line=Line(row.line),
        username=row.username,
        shift=row.shift,
        active=row.active,
    )


def staff_to_row(staff: Staff) -> StaffRow:
    return StaffRow(
        telegram_id=staff.telegram_id,
        name=staff.name,
        team=staff.team,
        line=int(staff.line),
        username=staff.username,
        shift=staff.shift,
        active=staff.active,
    )


def user_from_row(row: UserRow) -> User:
    return User(row.telegram_id, row.client_code, row.first_name, row.joined_at, row.username)


def ticket_from_row(row: TicketRow) -> Ticket:
    return Ticket(
        id=row.id,
        number=row.number,
        client_code=row.client_code,
        requester_id=row.requester_id,
        subject=row.subject,
        text=row.text,
        priority=Priority(row.priority),
        category=Category(row.category),
        status=Status(row.status),
        owner_id=row.owner_id,
        created_at=row.created_at,
        escalated=row.escalated,
        initial_priority=_priority(row.initial_priority),
        peak_priority=_priority(row.peak_priority),
        reply_chat=row.reply_chat,
        sla=SlaState(
            reaction_due=row.reaction_due,
            resolution_due=row.resolution_due,
            reacted_at=row.reacted_at,
            resolved_at=row.resolved_at,
            paused_at=row.paused_at,
            reaction_breached=row.reaction_breached,
            resolution_breached=row.resolution_breached,
            started_at=row.sla_started_at,
            paused_minutes=row.paused_minutes,
            reaction_minutes=row.reaction_minutes,
            resolution_minutes=row.resolution_minutes,
            reaction_target=row.reaction_target,
            resolution_target=row.resolution_target,
        ),
    )


def ticket_values(ticket: Ticket) -> dict[str, Any]:
    """Column values of every field a ticket's life can change (not id, number,
    client, created_at)."""
    sla = ticket.sla or SlaState(None, None)
    return {
        "requester_id": ticket.requester_id,
        "subject": ticket.subject,
        "text": ticket.text,
        "priority": int(ticket.priority),
        "initial_priority": _int(ticket.initial_priority),
        "peak_priority": _int(ticket.peak_priority),
        "reply_chat": ticket.reply_chat,
        "category": ticket.category.value,
        "status": ticket.status.value,
        "owner_id": ticket.owner_id,
        "escalated": ticket.escalated,
        "sla_started_at": sla.started_at,
        "reaction_due": sla.reaction_due,
        "resolution_due": sla.resolution_due,
        "reacted_at": sla.reacted_at,
        "resolved_at": sla.resolved_at,
        "paused_at": sla.paused_at,
        "paused_minutes": sla.paused_minutes,
        "reaction_breached": sla.reaction_breached,
        "resolution_breached": sla.resolution_breached,
        "reaction_minutes": sla.reaction_minutes,
        "resolution_minutes": sla.resolution_minutes,
        "reaction_target": sla.reaction_target,
        "resolution_target": sla.resolution_target,
    }


def _priority(value: int | None) -> Priority | None:
    return None if value is None else Priority(value)


def _int(priority: Priority | None) -> int | None:
    return None if priority is None else int(priority)


def copy_ticket_to_row(ticket: Ticket, row: TicketRow) -> None:
    for name, value in ticket_values(ticket).items():
        setattr(row, name, value)


def audit_from_row(row: AuditEventRow) -> AuditEvent:
    return AuditEvent(
        id=row.id,
        ticket_id=row.ticket_id,
        actor=row.actor,
        at=row.at,
        what=row.what,
        old=row.old,
        new=row.new,
        reason=row.reason,
        prev_hash=row.prev_hash,
        hash=row.hash,
    )
