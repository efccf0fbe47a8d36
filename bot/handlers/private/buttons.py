"""A user's button presses: FAQ answers, picking a ticket, priority/category, confirm, rate.

Every press is re-authorised: the draft or ticket named in the callback data
must belong to the presser (ARCHITECTURE.md, invariant 4).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aiogram import F, Router
from aiogram.types import CallbackQuery

from bot import keyboards, metrics, texts
from bot.callbacks import FaqCb, PickCb, UserCb
from bot.outbox import enqueue
from bot.services import csat, intake, notify, priority
from bot.services.actors import Actor
from bot.services.incoming import chat_of
from bot.services.tickets import TicketService
from desk.enums import Category, Priority
from desk.errors import NotAllowed
from desk.model import Ticket
from knowledge.base import KnowledgeBase
from storage.drafts import Draft
from storage.uow import UnitOfWork


async def _own_draft(uow: UnitOfWork, draft_id: int, user_id: int) -> Draft:
    draft = await uow.drafts.get_draft(draft_id)
    if draft is None or draft.user_id != user_id:
        raise NotAllowed(f"draft {draft_id} is not {user_id}'s")
    return draft


async def _own_ticket(uow: UnitOfWork, ticket_id: int, user_id: int) -> Ticket:
    ticket = await uow.tickets.get_by_id(ticket_id)
    if ticket.requester_id != user_id:
        raise NotAllowed(f"ticket {ticket.number} is not {user_id}'s")
    return ticket


def _message_id(query: CallbackQuery) -> int | None:
    return query.message.message_id if query.message is not None else None


async def faq(
    query: CallbackQuery,
    callback_data: FaqCb,
    uow: UnitOfWork,
    tickets: TicketService,
    kb: KnowledgeBase,
    now: Callable[[], datetime],
) -> None:
    user_id, chat = query.from_user.id, chat_of(query)
    draft = await _own_draft(uow, callback_data.draft, user_id)
    if draft.state != "faq" or draft.faq_log_id is None:
        await query.answer(texts.render("faq_expired"))
        return
    log = await uow.drafts.faq_shown(draft.faq_log_id)
    shown = [item["id"] for item in log]
    chosen = shown[callback_data.index] if 0 <= callback_data.index < len(shown) else None
    message_id = _message_id(query)
    if callback_data.action == "open" and chosen is not None:
        entry = kb.get(chosen)
        if entry is not None:
            await uow.drafts.close_faq(draft.faq_log_id, "shown", chosen=chosen)
            enqueue.send(
                uow,
                chat,
                texts.render("faq_answer", title=entry.title, answer_html=entry.answer),
                markup=keyboards.faq_answer(draft.id, callback_data.index),
            )
        await query.answer()
        return
    if not await uow.drafts.claim_draft(draft.id, ("faq",), "done"):
        await query.answer(texts.render("faq_expired"), show_alert=True)
        return
    if message_id is not None:
        enqueue.set_markup(uow, chat, message_id, None)
    if callback_data.action == "helped":
        await uow.drafts.close_faq(draft.faq_log_id, "helped", chosen=chosen)
        metrics.faq(uow.session, "helped")
        enqueue.send(uow, chat, texts.render("faq_helped"))
        if chosen is not None:  # the FAQ learns at once (bot/jobs/faq_digest.py reloads all)
            kb.add_feedback(draft.text, chosen, helped=True)
    else:
        user = await uow.users.get(user_id)
        if user is None:
            raise NotAllowed(f"{user_id} is not bound")
        ticket = await intake.register(uow, tickets, user, intake.from_draft(draft, user), now())
        metrics.faq(uow.session, "not_it")
        assert ticket.id is not None
        asked, rejected = await uow.drafts.reject_faq(draft.faq_log_id, ticket.id)
        for entry_id in rejected:
            kb.add_feedback(asked, entry_id, helped=False)
    await query.answer()


async def pick(
    query: CallbackQuery,
    callback_data: PickCb,
    uow: UnitOfWork,
    tickets: TicketService,
    kb: KnowledgeBase,
    now: Callable[[], datetime],
) -> None:
    """Which ticket a message was about (0: it is a new request)."""
    user_id, chat = query.from_user.id, chat_of(query)
    draft = await _own_draft(uow, callback_data.draft, user_id)
    if not await uow.drafts.claim_draft(draft.id, ("choose", "offer"), "picked"):
        await query.answer(texts.render("faq_expired"), show_alert=True)
        return
    message_id = _message_id(query)
    if message_id is not None:
        enqueue.set_markup(uow, chat, message_id, None)
    user = await uow.users.get(user_id)
    if user is None:
        raise NotAllowed(f"{user_id} is not bound")
    if callback_data.ticket == 0 and draft.state == "offer":  # it went to the open ticket
        await intake.split_off(uow, tickets, user, draft, message_id, now())
    else:
        chosen = None
        if callback_data.ticket != 0:
            chosen = await _own_ticket(uow, callback_data.ticket, user_id)
        await intake.picked(uow, tickets, kb, user, draft, chosen, now())
    await query.answer()


async def ticket_action(
    query: CallbackQuery,
    callback_data: UserCb,
    uow: UnitOfWork,
    tickets: TicketService,
    now: Callable[[], datetime],
) -> None:
    user_id, chat = query.from_user.id, chat_of(query)
    ticket = await _own_ticket(uow, callback_data.ticket, user_id)
    assert ticket.id is not None
    action, value = callback_data.action, callback_data.value
    actor = Actor.user(user_id)
    if action == "prio":
        enqueue.send(
            uow,
            chat,
            texts.render("choose_priority", number=ticket.number, priority=ticket.priority.value),
            markup=keyboards.priorities(ticket.id, staff=False),
        )
    elif action == "cat":
        enqueue.send(
            uow,
            chat,
            texts.render("choose_category", number=ticket.number),
            markup=keyboards.categories(ticket.id),
        )
    elif action == "setp":
        chosen = Priority(int(value))
        if priority.needs_reason(ticket, chosen):  # a raise to P1/P2 waits for one line of why
            await priority.ask_reason(uow, tickets, ticket, user_id, chosen, now())
        elif not await priority.change(uow, tickets, ticket, actor, chosen, now()):
            await query.answer(texts.render("priority_same", priority=chosen.value))
            return  # the picker stays: another priority may still be chosen
    elif action == "setc":
        ticket = await tickets.change_category(uow, callback_data.ticket, actor, Category(value))
        await notify.refresh_card(uow, ticket)
        notify.to_user(uow, ticket, "changed_user", what="category", value=ticket.category.value)
    elif action == "ok":
        await csat.confirm(uow, tickets, ticket, user_id)
    elif action == "reopen":
        await csat.reopen(uow, tickets, ticket, user_id)
    elif action == "rate":
        await csat.rate(uow, ticket, user_id, int(value), now())
    elif action == "skip":
        await csat.comment(uow, ticket, user_id, None, now())
    if action in ("setp", "setc", "ok", "reopen", "rate", "skip"):
        message_id = _message_id(query)
        if message_id is not None:
            enqueue.set_markup(uow, chat, message_id, None)
    await query.answer()


def build() -> Router:
    router = Router(name="private.buttons")
    router.callback_query.register(faq, FaqCb.filter())
    router.callback_query.register(pick, PickCb.filter())
    router.callback_query.register(ticket_action, UserCb.filter(F.action != "view"))
    return router
