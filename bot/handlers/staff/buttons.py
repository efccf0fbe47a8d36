"""Buttons on a ticket card (and its menus), one handler per action.

``StaffPress`` re-reads the presser and the ticket the button names from the
database on every press and gives the handler ``member`` and ``ticket``; a
press by anyone else is refused in ``bot.handlers.staff.outsiders``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiogram import F, Router
from aiogram.types import CallbackQuery

from bot import keyboards, texts
from bot.callbacks import StaffCb
from bot.handlers.filters import StaffPress
from bot.handlers.staff._common import Clock
from bot.outbox import enqueue
from bot.services import staff
from bot.services.actors import Actor
from bot.services.priority import change as change_priority
from bot.services.tickets import TicketService
from bot.settings import Settings
from desk.enums import Priority
from desk.model import Staff, Ticket
from storage.uow import UnitOfWork


def _where(query: CallbackQuery) -> tuple[int, int]:
    """The chat and message of the pressed button."""
    assert query.message is not None  # InChats on the group router
    return query.message.chat.id, query.message.message_id


def _id(ticket: Ticket) -> int:
    assert ticket.id is not None  # read from the database
    return ticket.id


async def take(
    query: CallbackQuery, member: Staff, ticket: Ticket, uow: UnitOfWork, tickets: TicketService
) -> None:
    await staff.take(uow, tickets, ticket, member.telegram_id)
    await query.answer()


async def priorities(query: CallbackQuery, ticket: Ticket, uow: UnitOfWork) -> None:
    """The card's buttons become a choice of priority."""
    chat_id, message_id = _where(query)
    markup = keyboards.priorities(_id(ticket), staff=True)
    enqueue.set_markup(uow, chat_id, message_id, markup)
    await query.answer()


async def set_priority(
    query: CallbackQuery,
    callback_data: StaffCb,
    member: Staff,
    ticket: Ticket,
    uow: UnitOfWork,
    tickets: TicketService,
    now: Clock,
) -> None:
    chat_id, message_id = _where(query)
    wanted = Priority(int(callback_data.value))
    actor = Actor.staff(member.telegram_id)
    if not await change_priority(uow, tickets, ticket, actor, wanted, now()):
        await staff.restore_buttons(uow, ticket, chat_id, message_id)
        await query.answer(texts.render("priority_same", priority=wanted.value))
        return
    await query.answer()


async def back(query: CallbackQuery, ticket: Ticket, uow: UnitOfWork) -> None:
    chat_id, message_id = _where(query)
    await staff.restore_buttons(uow, ticket, chat_id, message_id)
    await query.answer()


async def escalate(
    query: CallbackQuery, member: Staff, ticket: Ticket, uow: UnitOfWork, tickets: TicketService
) -> None:
    escalated = await staff.escalate(uow, tickets, ticket, member.telegram_id)
    if escalated is staff.Escalated.ALREADY:
        await query.answer(texts.render("staff_already_escalated"))
        return
    html = texts.render("staff_escalated_ok", engineers=escalated is staff.Escalated.CALLED)
    await query.answer(html)


async def wait(
    query: CallbackQuery, member: Staff, ticket: Ticket, uow: UnitOfWork, tickets: TicketService
) -> None:
    await staff.wait(uow, tickets, ticket, member.telegram_id)
    await query.answer()


async def route_menu(query: CallbackQuery, ticket: Ticket, uow: UnitOfWork) -> None:
    """The card's buttons become the contract's contacts to route the ticket to."""
    chat_id, message_id = _where(query)
    targets = await staff.route_targets(uow, ticket)
    labels = [label for label, _ in targets]
    markup = keyboards.route_targets(_id(ticket), labels, on_card=True)
    enqueue.set_markup(uow, chat_id, message_id, markup)
    await query.answer()


async def route_to(
    query: CallbackQuery,
    callback_data: StaffCb,
    member: Staff,
    ticket: Ticket,
    uow: UnitOfWork,
    tickets: TicketService,
) -> None:
    chat_id, message_id = _where(query)
    await staff.route(uow, tickets, ticket, member.telegram_id, int(callback_data.value))
    await staff.drop_menu(uow, ticket, chat_id, message_id)
    await query.answer()


async def resolve(
    query: CallbackQuery,
    member: Staff,
    ticket: Ticket,
    uow: UnitOfWork,
    tickets: TicketService,
    settings: Settings,
    now: Clock,
) -> None:
    await staff.resolve(uow, tickets, ticket, member.telegram_id, now(), settings.autoclose_minutes)
    await query.answer()


async def reopen(
    query: CallbackQuery, member: Staff, ticket: Ticket, uow: UnitOfWork, tickets: TicketService
) -> None:
    await staff.reopen(uow, tickets, ticket, member.telegram_id)
    await query.answer()


HANDLERS: dict[str, Callable[..., Awaitable[None]]] = {
    "take": take,
    "prio": priorities,
    "setp": set_priority,
    "back": back,
    "esc": escalate,
    "wait": wait,
    "route": route_menu,
    "to": route_to,
    "resolve": resolve,
    "reopen": reopen,
}


def build() -> Router:
    router = Router(name="staff.buttons")
    for action, handler in HANDLERS.items():
        router.callback_query.register(handler, StaffCb.filter(F.action == action), StaffPress())
    return router
