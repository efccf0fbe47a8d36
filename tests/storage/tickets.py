"""A ticket to hang storage rows on (tests of topics, alerts, reports)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.services.tickets import TicketService
from desk.enums import Category, Priority
from storage.uow import UnitOfWorkFactory

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


async def new_ticket_id(factory: UnitOfWorkFactory) -> int:
    """Register a ticket of the demo client's user 1001 at ``NOW``; its id."""
    async with factory() as uow:
        ticket = await TicketService(now=lambda: NOW).create_ticket(
            uow, requester_id=1001, subject="x", text="x", priority=Priority.MEDIUM,
            category=Category.INCIDENT,
        )  # fmt: skip
    assert ticket.id is not None
    return ticket.id
