"""Any other message in the staff group: a staff member writing in a ticket's topic.

Only staff's messages in a ticket's topic match (``IsStaff``, ``InTicket``);
an outsider's message, or one in the team's general chat, reaches nobody.
What reaches the client is a consultant's real message only — text, a
caption or media — and only that counts as the SLA reaction: a message
starting with «/» (a command the staff handlers did not take, with or without
@botname) is answered with the staff help instead; service messages (a
topic edited, a pin...) and stickers or polls are not relayed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aiogram import Bot, Router
from aiogram.types import Message

from bot.handlers.filters import HasAny, InTicket, IsStaff, SlashText, place_of
from bot.outbox import enqueue
from bot.services import relay, staff, staff_help
from bot.services.incoming import MEDIA_TYPES, incoming
from bot.services.tickets import TicketService
from desk.model import Staff, Ticket
from storage.uow import UnitOfWork


async def not_a_command(
    message: Message, command: str, mention: str | None, uow: UnitOfWork, bot: Bot
) -> None:
    """An unknown command (or anything starting with «/»): the staff help, where it was
    typed; a command addressed to another bot is left to it."""
    if mention is not None and mention.casefold() != ((await bot.me()).username or "").casefold():
        return
    ticket = await staff.ticket_at(uow, place_of(message))
    enqueue.send(
        uow,
        message.chat.id,
        staff_help.render(unknown=command),
        ticket_id=ticket.id if ticket else None,
        topic=ticket is not None,
    )


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
    router.message.register(not_a_command, SlashText())
    router.message.register(in_topic, HasAny(("text", "caption", *MEDIA_TYPES)), InTicket())
    return router
