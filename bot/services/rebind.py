"""A bound user opens another client's invite: asked first, moved only on «Перейти».

The offer is stored (``storage.rebind``, one per user); the press carries only
the client's code and counts only if that very offer is still stored for the
presser and younger than ``OFFER_TTL``.  A move is recorded in the audit trail.
Tickets keep the client they were opened for: follow-ups, /my and their buttons
look at the ticket's client, so open tickets of the old client run to the end there.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot import texts
from bot.callbacks import RebindCb
from bot.services.actors import Actor
from desk.model import Client, User
from storage.uow import UnitOfWork

OFFER_TTL = timedelta(days=1)


async def offer(
    uow: UnitOfWork, user: User, client: Client, now: datetime
) -> tuple[str, InlineKeyboardMarkup]:
    """Store the offer of ``client`` and return the question with its buttons."""
    await uow.rebind.offer(user.telegram_id, client.code, now)
    current = await uow.directory.client(user.client_code)
    open_tickets = len(await uow.tickets.open_of(user.telegram_id))
    html = texts.render(
        "rebind_offer", current=current.name, offered=client.name, open_tickets=open_tickets
    )
    go, stay = texts.lines("rebind_buttons")
    markup = InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=go, callback_data=RebindCb(action="go", client=client.code).pack()
                ),
                InlineKeyboardButton(
                    text=stay, callback_data=RebindCb(action="stay", client=client.code).pack()
                ),
            ]
        ]
    )
    return html, markup


async def answer(uow: UnitOfWork, user: User, data: RebindCb, now: datetime) -> str | None:
    """Use up the offer the press names; on «go» bind the user to its client and
    audit the move.  What to tell the user, or None if there is no such offer
    (forged, already answered, replaced by a newer invite or too old)."""
    if not await uow.rebind.take(user.telegram_id, data.client, now - OFFER_TTL):
        return None
    current = await uow.directory.client(user.client_code)
    if data.action == "stay":
        return texts.render("rebind_stayed", client=current.name)
    client = await uow.directory.client(data.client)
    moved = User(user.telegram_id, client.code, user.first_name, user.joined_at, user.username)
    await uow.users.bind(moved)
    await uow.audit.append(
        ticket_id=None,
        actor=str(Actor.user(user.telegram_id)),
        at=now,
        what="user.client",
        old=current.code,
        new=client.code,
        reason="invite accepted",
    )
    return texts.render("rebind_moved", client=client.name, old=current.name)
