"""A report's user answers about the mass incident it is linked to: «У меня другое»,
«Добавить подробности», and after the resolution «У меня всё ещё не работает».

The report named in the callback data must be the presser's own
(``bot.services.incidents.own_report`` raises ``NotAllowed`` otherwise: invariant 4).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aiogram import Router
from aiogram.types import CallbackQuery

from bot import texts
from bot.callbacks import IncidentCb
from bot.outbox import enqueue
from bot.services import incidents
from bot.services.incoming import chat_of
from bot.services.tickets import TicketService
from storage.uow import UnitOfWork


async def incident_button(
    query: CallbackQuery,
    callback_data: IncidentCb,
    uow: UnitOfWork,
    tickets: TicketService,
    now: Callable[[], datetime],
) -> None:
    user_id, report = query.from_user.id, callback_data.report
    if callback_data.action == "other":
        answer = await incidents.other(uow, tickets, report, user_id, now())
    elif callback_data.action == "more":
        answer = await incidents.more(uow, report, user_id)
    else:
        answer = await incidents.again(uow, tickets, report, user_id, now())
    if answer is incidents.Answer.STALE:
        await query.answer(texts.render("incident_button_stale"), show_alert=True)
        return
    if callback_data.action != "more" and query.message is not None:
        enqueue.set_markup(uow, chat_of(query), query.message.message_id, None)
    await query.answer()


def build() -> Router:
    router = Router(name="private.incidents")
    router.callback_query.register(incident_button, IncidentCb.filter())
    return router
