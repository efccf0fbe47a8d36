"""A first message that clearly asks for a request type with a form: the form is offered
and the message held (``offer``); if the user writes again or ignores the offer, intake
registers the held message as it is (``claim_offer``). Kept apart from the forms
themselves (``bot.services.catalogue``) so that intake can call it without a circle."""

from __future__ import annotations

from datetime import datetime

from aiogram.types import InlineKeyboardMarkup

from bot import keyboards, texts
from bot.outbox import enqueue
from bot.services.incoming import Incoming
from bot.services.tickets import TicketService
from desk.catalogue import Catalogue, match_type
from desk.model import User
from storage.drafts import Draft
from storage.uow import UnitOfWork


def reply(
    uow: UnitOfWork, chat_id: int, html: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Answer the user in the chat they wrote or pressed in (a chat key: desk.channels)."""
    enqueue.send(uow, chat_id, html, markup=markup)


async def catalogue_of(uow: UnitOfWork, svc: TicketService, client_code: str) -> Catalogue:
    """The request types of a client's contract (none: only today's free text)."""
    terms = await svc.terms(uow, client_code)
    return terms.config.catalogues.get(terms.contract.name, Catalogue())


async def offer(
    uow: UnitOfWork, svc: TicketService, user: User, msg: Incoming, now: datetime
) -> bool:
    """A first message that clearly asks for a type with a form: hold it and offer the
    form (True); otherwise nothing happens (False)."""
    if msg.has_media:  # a screenshot says more than the words matched: today's path
        return False
    form_type = match_type(msg.text, await catalogue_of(uow, svc, user.client_code))
    if form_type is None:
        return False
    draft_id = await uow.drafts.add_draft(
        user_id=msg.user_id,
        chat_id=msg.chat_id,
        message_id=msg.message_id,
        text=msg.text,
        html=msg.html,
        media=msg.media,
        state="form",
        now=now,
    )
    form = await uow.catalogue.start_form(
        user_id=user.telegram_id,
        chat_id=msg.chat_id,
        client_code=user.client_code,
        type_code=form_type.code,
        state="offered",
        now=now,
        draft_id=draft_id,
        first_text=msg.text,
    )
    html = texts.render("form_offer", title=form_type.title, count=len(form_type.fields))
    reply(uow, msg.chat_id, html, keyboards.form_offer(form.id))
    return True


async def claim_offer(uow: UnitOfWork, user_id: int) -> Draft | None:
    """The message held under the user's unanswered form offer, claimed for registering as
    it is (the offer is gone); None if there is none (or it was answered meanwhile)."""
    form = await uow.catalogue.form_of(user_id)
    if form is None or form.state != "offered" or form.draft_id is None:
        return None
    if not await uow.catalogue.drop_form(user_id):
        return None
    if not await uow.drafts.claim_draft(form.draft_id, ("form",), "done"):
        return None
    return await uow.drafts.get_draft(form.draft_id)
