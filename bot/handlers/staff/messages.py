"""Any other message in the staff group: a staff member writing in a ticket's topic.

Only staff's messages in a ticket's topic match (``IsStaff``, ``InTicket``);
an outsider's message, or one in the team's general chat, reaches nobody.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aiogram import Router
from aiogram.types import Message

from bot.handlers.filters import InTicket, IsStaff
from bot.services import relay
from bot.services.incoming import incoming
from bot.services.tickets import TicketService
from desk.model import Staff, Ticket
from storage.uow import UnitOfWork


async def in_topic(
    message: Message,
    member: Staff,
    ticket: Ticket,
    uow: UnitOfWork,
    tickets: TicketService,
    now: Callable[[], datetime],
) -> None:
    await relay.from_staff(uow, tickets, ticket, member, incoming(message), now())


def build() -> Router:
    router = Router(name="staff.messages")
    router.message.filter(IsStaff())
    router.message.register(in_topic, InTicket())
    return router
