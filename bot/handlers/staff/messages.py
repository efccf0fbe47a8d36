"""Any other message in the staff group: a staff member writing in a ticket's topic."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aiogram import Router
from aiogram.types import Message

from bot.services import relay, staff
from bot.services.incoming import incoming
from bot.services.tickets import TicketService
from storage.uow import UnitOfWork


async def in_topic(
    message: Message, uow: UnitOfWork, tickets: TicketService, now: Callable[[], datetime]
) -> None:
    if message.from_user is None or message.from_user.is_bot:
        return
    member = await staff.staff_of_chat(uow, message.chat.id, message.from_user.id)
    if member is None:
        return  # not staff: nothing they write reaches a user
    msg = incoming(message)
    ticket = await staff.ticket_at(uow, staff.Place(msg.chat_id, msg.thread_id, msg.reply_to))
    if ticket is None:
        return  # general chat of the team
    await relay.from_staff(uow, tickets, ticket, member, msg, now())


def build() -> Router:
    router = Router(name="staff.messages")
    router.message.register(in_topic)
    return router
