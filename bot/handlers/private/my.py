"""/my: the user's tickets; a ticket's own view with its public history."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from bot import keyboards, texts
from bot.callbacks import UserCb
from bot.outbox import enqueue
from bot.services.incoming import chat_of
from desk.errors import NotAllowed
from desk.timefmt import due_of
from storage.uow import UnitOfWork


async def my(message: Message, uow: UnitOfWork, now: Callable[[], datetime]) -> None:
    assert message.from_user is not None
    user = await uow.users.get(message.from_user.id)
    if user is None:
        enqueue.send(uow, message.chat.id, texts.render("not_bound"))
        return
    tickets = await uow.tickets.list(requester_id=user.telegram_id, limit=20)
    zones = {  # each ticket in its own client's zone: a user who moved keeps older tickets
        code: (await uow.directory.client(code)).timezone
        for code in {t.client_code for t in tickets}
    }
    moment = now()
    rows = [
        {
            "number": t.number,
            "status": t.status.value,
            "subject": t.subject,
            "resolution": due_of(
                t.sla.resolution_due if t.sla else None, moment, zones[t.client_code]
            )
            if t.status.value in ("new", "in_progress", "waiting", "approval")
            else None,
        }
        for t in tickets
    ]
    markup = (
        keyboards.my_tickets([(t.id or 0, t.number) for t in tickets[:10]]) if tickets else None
    )
    enqueue.send(uow, message.chat.id, texts.render("my_list", tickets=rows), markup=markup)


async def view(
    query: CallbackQuery, callback_data: UserCb, uow: UnitOfWork, now: Callable[[], datetime]
) -> None:
    ticket = await uow.tickets.get_by_id(callback_data.ticket)
    if ticket.requester_id != query.from_user.id:
        raise NotAllowed(f"{query.from_user.id} may not view {ticket.number}")
    client = await uow.directory.client(ticket.client_code)
    owner = await uow.directory.staff(ticket.owner_id)
    history = await uow.messaging.public_history(callback_data.ticket)
    names: dict[int, str] = {}
    for link in history:
        if link.author == "staff" and link.author_id is not None and link.author_id not in names:
            staff = await uow.directory.staff(link.author_id)
            names[link.author_id] = staff.name if staff else ""
    tz = client.timezone
    items = [
        {
            "author": link.author,
            "name": names.get(link.author_id or 0, ""),
            "at": texts.render("short_time", at=link.at.astimezone(ZoneInfo(tz))),
            # a user's file is described when linked («фото», «документ: счёт.pdf»)
            "text": link.text or texts.render("attachment", media=[{"kind": "file"}], text=""),
        }
        for link in history
    ]
    sla = ticket.sla
    html = texts.render(
        "ticket_view",
        number=ticket.number,
        status=ticket.status.value,
        priority=ticket.priority.value,
        category=ticket.category.value,
        owner=owner.name if owner else "",
        resolution=due_of(sla.resolution_due if sla else None, now(), tz),
        history=items,
        text=ticket.text,
    )
    await query.answer()
    enqueue.send(uow, chat_of(query), html, ticket_id=ticket.id)


def build() -> Router:
    router = Router(name="private.my")
    router.message.register(my, Command("my"))
    router.callback_query.register(view, UserCb.filter(F.action == "view"))
    return router
