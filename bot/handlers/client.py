"""The client manager's ``/tickets`` (private chat), survey answers, and
``/report`` in the staff group.

``/report [CODE] [ГГГГ-ММ|ГГГГ-Wнн] [html|xlsx]``: the report as a document in
the staff group; without a code the team's only client, without a period the
current month so far.  Both re-check the sender in the database (/report through
the ``IsStaff`` filter).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot import texts
from bot.callbacks import ManagerCb, SurveyCb
from bot.handlers import manager_links
from bot.handlers.filters import IsStaff
from bot.outbox import enqueue
from bot.reports.build import FORMATS
from bot.reports.send import save_report, send_report
from bot.services import manager, survey
from bot.services.incoming import chat_of
from bot.settings import Settings
from desk.model import Staff
from desk.reporting import BadPeriod, parse_period
from storage.uow import UnitOfWork


async def tickets(
    message: Message, uow: UnitOfWork, settings: Settings, now: Callable[[], datetime]
) -> None:
    assert message.from_user is not None
    found = await manager.overview(uow, message.from_user.id, now(), settings)
    if found is None:
        enqueue.send(uow, message.chat.id, texts.render("client_not_manager"))
        return
    html, reports = found
    rows = [
        [
            InlineKeyboardButton(
                text=texts.render("client_report_button", period=period),
                callback_data=ManagerCb(file=file_id).pack(),
            )
        ]
        for file_id, period in reports
    ]
    markup = InlineKeyboardMarkup(inline_keyboard=rows) if rows else None
    enqueue.send(uow, message.chat.id, html, markup=markup)


async def report_file(query: CallbackQuery, callback_data: ManagerCb, uow: UnitOfWork) -> None:
    if await manager.may_get_report(uow, query.from_user.id, callback_data.file):
        enqueue.document(uow, chat_of(query), callback_data.file, None)
        await query.answer()
    else:
        await query.answer(texts.render("client_not_manager"), show_alert=True)


async def report(
    message: Message,
    command: CommandObject,
    member: Staff,
    uow: UnitOfWork,
    now: Callable[[], datetime],
) -> None:
    chat = message.chat.id
    config = await uow.directory.load()
    clients = sorted(code for code, c in config.clients.items() if c.team == member.team)
    fmt, code, periods = "html", None, []
    for arg in (command.args or "").split():
        if arg.lower() in FORMATS:
            fmt = arg.lower()
        elif arg.upper() in clients:
            code = arg.upper()
        else:
            periods.append(arg)
    if code is None and len(clients) == 1:
        code = clients[0]
    moment = now()
    if code is None or len(periods) > 1:
        enqueue.send(uow, chat, texts.render("report_usage", clients=clients))
        return
    local = moment.astimezone(ZoneInfo(config.clients[code].timezone))
    try:
        period = parse_period(periods[0] if periods else f"{local.year:04d}-{local.month:02d}")
    except BadPeriod:
        html = texts.render("report_bad_period", value=periods[0], clients=clients)
        enqueue.send(uow, chat, html)
        return
    built, file_id = await save_report(uow, code, period, fmt, moment)
    send_report(uow, built, file_id, [chat])


async def survey_answer(
    query: CallbackQuery, callback_data: SurveyCb, uow: UnitOfWork, now: Callable[[], datetime]
) -> None:
    message = query.message
    if message is not None and await survey.answer(
        uow, query.from_user.id, callback_data, message.chat.id, message.message_id, now()
    ):
        await query.answer()
    else:
        await query.answer(texts.render("client_survey_not_yours"), show_alert=True)


def build_private() -> Router:
    """/tickets and its report buttons for client managers; survey answers."""
    router = Router(name="client-manager")
    router.message.register(tickets, Command("tickets"))
    router.include_router(manager_links.build())  # /revoke
    router.callback_query.register(report_file, ManagerCb.filter())
    router.callback_query.register(survey_answer, SurveyCb.filter())
    return router


def build_group() -> Router:
    """/report in a staff group, from its team's staff (anyone else: ``staff.outsiders``)."""
    router = Router(name="staff-report")
    router.message.register(report, Command("report"), IsStaff())
    return router
