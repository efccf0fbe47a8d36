"""Request forms and approvals in private chat, one handler each.

``/new`` lists the contract's request types; a type's button starts its form (or, for a
type without one, asks for a message); the form's buttons and the user's messages
answer its questions (``FillingForm``). An approver's «Согласовать» / «Отклонить» and
the reason of a refusal (``AwaitingRefusal``). Every press is re-checked by the
services: the form must be the presser's own and on that question; an approval only
by a person the config names for that client (ARCHITECTURE.md, invariant 4).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from bot import texts
from bot.callbacks import ApprovalCb, FormCb, NewCb
from bot.handlers.filters import AwaitingRefusal, FillingForm
from bot.outbox import enqueue
from bot.services import approvals, catalogue
from bot.services.form_offer import reply
from bot.services.incoming import chat_of, incoming
from bot.services.tickets import TicketService
from desk.errors import NotAllowed
from knowledge.base import KnowledgeBase
from storage.catalogue import FormDraft
from storage.uow import UnitOfWork

Clock = Callable[[], datetime]


async def new(message: Message, uow: UnitOfWork, tickets: TicketService) -> None:
    assert message.from_user is not None
    user = await uow.users.get(message.from_user.id)
    if user is None:
        reply(uow, message.chat.id, texts.render("not_bound"))
        return
    await catalogue.show_types(uow, tickets, user, message.chat.id)


def _done_with(uow: UnitOfWork, query: CallbackQuery) -> None:
    """The pressed message's buttons go (its question is answered)."""
    if query.message is not None:
        enqueue.set_markup(uow, chat_of(query), query.message.message_id, None)


async def new_type(
    query: CallbackQuery, callback_data: NewCb, uow: UnitOfWork, tickets: TicketService, now: Clock
) -> None:
    user = await uow.users.get(query.from_user.id)
    if user is None or not await catalogue.choose(
        uow, tickets, user, callback_data.type, chat_of(query), now()
    ):
        await query.answer(texts.render("form_stale"), show_alert=True)
        return
    _done_with(uow, query)
    await query.answer()


async def form_press(
    query: CallbackQuery,
    callback_data: FormCb,
    uow: UnitOfWork,
    tickets: TicketService,
    kb: KnowledgeBase,
    now: Clock,
) -> None:
    user = await uow.users.get(query.from_user.id)
    form = await uow.catalogue.form_of(query.from_user.id)
    if user is None or form is None or form.id != callback_data.form:  # not theirs, or gone
        await query.answer(texts.render("form_stale"), show_alert=True)
        return
    pressed = catalogue.Press(callback_data.action, callback_data.step, callback_data.value)
    if not await catalogue.press(uow, tickets, kb, user, form, pressed, chat_of(query), now()):
        await query.answer(texts.render("form_stale"), show_alert=True)
        return
    _done_with(uow, query)
    await query.answer()


async def form_answer(
    message: Message, form: FormDraft, uow: UnitOfWork, tickets: TicketService, now: Clock
) -> None:
    user = await uow.users.get(form.user_id)
    if user is None:
        reply(uow, message.chat.id, texts.render("not_bound"))
        return
    await catalogue.take_message(uow, tickets, user, form, incoming(message), now())


async def approval_press(
    query: CallbackQuery,
    callback_data: ApprovalCb,
    uow: UnitOfWork,
    tickets: TicketService,
    now: Clock,
) -> None:
    person, chat = query.from_user.id, chat_of(query)
    if callback_data.action == "keep":
        await approvals.keep(uow, person)
        _done_with(uow, query)
        await query.answer()
        return
    decide = approvals.approve if callback_data.action == "ok" else approvals.ask_reason
    try:
        answer = await decide(uow, tickets, callback_data.approval, person, chat, now())
    except NotAllowed:  # forged, another client's manager, the requester: nothing changes
        await query.answer(texts.render("approval_not_allowed"), show_alert=True)
        return
    if answer != "approval_already":
        _done_with(uow, query)
    await query.answer(texts.render(answer), show_alert=answer == "approval_already")


async def refusal_reason(
    message: Message, approval_id: int, uow: UnitOfWork, tickets: TicketService, now: Clock
) -> None:
    assert message.from_user is not None
    try:
        await approvals.refuse(
            uow,
            tickets,
            approval_id,
            message.from_user.id,
            message.chat.id,
            message.text or "",
            now(),
        )
    except NotAllowed:
        reply(uow, message.chat.id, texts.render("approval_not_allowed"))


def build() -> Router:
    router = Router(name="private.forms")
    router.message.register(new, Command("new"))
    router.callback_query.register(new_type, NewCb.filter())
    router.callback_query.register(form_press, FormCb.filter())
    router.callback_query.register(approval_press, ApprovalCb.filter())
    router.message.register(refusal_reason, AwaitingRefusal())
    router.message.register(form_answer, FillingForm())
    return router
