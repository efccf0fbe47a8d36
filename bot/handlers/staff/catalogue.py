"""Staff commands of the service catalogue, one handler each (active staff of the
group's team only: ``IsStaff``):

/design   in a ticket's topic, in reply to a document (or as its caption): the
          functional design goes to the client's approvers (``bot.services.approvals``)
/invite   [CODE]: the invite link and its QR code of a client of the team (in a
          ticket's topic: that ticket's client)
"""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot import texts
from bot.handlers.filters import InTicket, IsStaff, place_of
from bot.handlers.staff._common import Clock, reply
from bot.services import approvals, invites, staff
from bot.services.tickets import TicketService
from bot.settings import Settings
from desk.model import Staff, Ticket
from storage.uow import UnitOfWork


def _document(message: Message) -> tuple[int, int, str | None] | None:
    """The design: the document this command is the caption of, or replies to."""
    for carrier in (message, message.reply_to_message):
        if carrier is not None and carrier.document is not None:
            return carrier.chat.id, carrier.message_id, carrier.document.file_name
    return None


async def design(
    message: Message,
    member: Staff,
    ticket: Ticket,
    uow: UnitOfWork,
    tickets: TicketService,
    now: Clock,
) -> None:
    document = _document(message)
    if document is None:
        reply(uow, message, texts.render("design_usage"), ticket)
        return
    refused = await approvals.design(uow, tickets, ticket, member.telegram_id, document, now())
    if refused is not None:
        reply(uow, message, texts.render(refused), ticket)


async def design_elsewhere(message: Message, uow: UnitOfWork) -> None:
    """/design outside a ticket's topic."""
    reply(uow, message, texts.render("staff_no_ticket"))


async def invite(
    message: Message,
    command: CommandObject,
    member: Staff,
    uow: UnitOfWork,
    settings: Settings,
    bot: Bot,
    now: Clock,
) -> None:
    ticket = await staff.ticket_at(uow, place_of(message))
    wanted = (command.args or "").strip().upper() or (ticket.client_code if ticket else "")
    username = settings.bot_username or (await bot.me()).username or ""
    html = await invites.send_invite(
        uow, member.team, wanted, message.chat.id, username, settings, now()
    )
    if html is not None:
        reply(uow, message, html, ticket)


def build() -> Router:
    router = Router(name="staff.catalogue")
    router.message.filter(Command("design", "invite", ignore_mention=True), IsStaff())
    router.message.register(design, Command("design", ignore_mention=True), InTicket())
    router.message.register(design_elsewhere, Command("design", ignore_mention=True))
    router.message.register(invite, Command("invite", ignore_mention=True))
    return router
