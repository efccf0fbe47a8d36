"""Buttons on a ticket card; the presser is re-checked against the database every time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aiogram import Router
from aiogram.types import CallbackQuery

from bot import keyboards, texts
from bot.callbacks import StaffCb
from bot.outbox import enqueue
from bot.services import staff
from bot.services.actors import Actor
from bot.services.tickets import TicketService
from bot.settings import Settings
from desk.enums import Priority
from desk.errors import NotAllowed
from storage.uow import UnitOfWork


async def card_button(
    query: CallbackQuery,
    callback_data: StaffCb,
    uow: UnitOfWork,
    tickets: TicketService,
    settings: Settings,
    now: Callable[[], datetime],
) -> None:
    assert query.message is not None
    chat_id = query.message.chat.id
    member = await staff.staff_of_chat(uow, chat_id, query.from_user.id)
    ticket = await uow.tickets.get_by_id(callback_data.ticket)
    client = await uow.directory.client(ticket.client_code)
    if member is None or member.team != client.team:
        raise NotAllowed(f"{query.from_user.id} is not staff of team {client.team}")
    who, action, value = member.telegram_id, callback_data.action, callback_data.value
    assert ticket.id is not None
    if action == "take":
        await staff.take(uow, tickets, ticket, who)
    elif action == "prio":
        enqueue.set_markup(
            uow.session,
            chat_id,
            query.message.message_id,
            keyboards.priorities(ticket.id, staff=True),
        )
    elif action == "setp":
        priority = Priority(int(value))
        if not await staff.set_priority(uow, tickets, ticket, Actor.staff(who), priority, now()):
            await staff.restore_buttons(uow, ticket, chat_id, query.message.message_id)
            await query.answer(texts.render("priority_same", priority=priority.value))
            return
    elif action == "back":
        await staff.restore_buttons(uow, ticket, chat_id, query.message.message_id)
    elif action == "esc":
        done = await staff.escalate(uow, tickets, ticket, who)
        await query.answer(
            texts.render("staff_escalated_ok" if done else "staff_already_escalated")
        )
        return
    elif action == "wait":
        await staff.wait(uow, tickets, ticket, who)
    elif action == "route":
        targets = await staff.route_targets(uow, ticket)
        enqueue.set_markup(
            uow.session,
            chat_id,
            query.message.message_id,
            keyboards.route_targets(ticket.id, [label for label, _ in targets], on_card=True),
        )
    elif action == "to":
        await staff.route(uow, tickets, ticket, who, int(value))
        await staff.drop_menu(uow, ticket, chat_id, query.message.message_id)
    elif action == "resolve":
        await staff.resolve(uow, tickets, ticket, who, now(), settings.autoclose_minutes)
    elif action == "reopen":
        await staff.reopen(uow, tickets, ticket, who)
    await query.answer()


def build() -> Router:
    router = Router(name="staff.buttons")
    router.callback_query.register(card_button, StaffCb.filter())
    return router
