"""A user's message in private chat: FAQ step, registration, or a follow-up.

Everything happens in the caller's unit of work; the user hears back only
through the outbox, i.e. only after the ticket is committed (ARCHITECTURE.md, invariant 1).
"""

from __future__ import annotations

from datetime import datetime

from bot import keyboards, texts
from bot.outbox import enqueue
from bot.services import notify
from bot.services.actors import Actor
from bot.services.cards import render_card, text_overflows
from bot.services.incoming import Incoming
from bot.services.tickets import TicketService
from desk.enums import OPEN_STATUSES, Priority, Status
from desk.intake import guess, is_request, subject_of, visible
from desk.model import Ticket, User
from knowledge.base import KnowledgeBase, Suggestion
from storage import drafts, messaging
from storage.drafts import Draft
from storage.uow import UnitOfWork

FAQ_LIMIT = 3


async def receive(
    uow: UnitOfWork, svc: TicketService, kb: KnowledgeBase, msg: Incoming, now: datetime
) -> None:
    """Route a user's message: to the ticket it answers, the FAQ, or a new ticket."""
    user = await uow.users.get(msg.user_id)
    if user is None:
        enqueue.send(uow.session, msg.chat_id, texts.render("not_bound"))
        return
    if not msg.has_media and not visible(msg.text):  # nothing shows: not even a follow-up
        enqueue.send(uow.session, msg.chat_id, texts.render("not_a_request"))
        return
    target = await _ticket_replied_to(uow, msg) or await _album_of(uow, msg)
    open_tickets = await uow.tickets.open_of(user.telegram_id)
    if target is None and len(open_tickets) == 1:
        target = open_tickets[0]
    if target is not None:
        await follow_up(uow, svc, target, msg, now, offer_new=True)
        return
    if open_tickets:
        draft_id = await _draft(uow, msg, "choose", now)
        choices = [(t.id or 0, f"{t.number} · {t.subject}") for t in open_tickets]
        enqueue.send(
            uow.session,
            msg.chat_id,
            texts.render("which_ticket"),
            markup=keyboards.pick_ticket(draft_id, choices),
        )
        return
    if not msg.has_media and not is_request(msg.text):
        enqueue.send(uow.session, msg.chat_id, texts.render("not_a_request"))
        return
    suggestions = _suggestions(kb, msg.text)
    if not suggestions:  # straight to a ticket: no draft to keep
        ticket = await register(uow, svc, user, msg, now)
        await drafts.log_faq(
            uow.session,
            user_id=user.telegram_id,
            client_code=user.client_code,
            query=msg.text,
            shown=[],
            outcome="unanswered",
            now=now,
            ticket_id=ticket.id,
        )
        return
    draft_id = await _draft(uow, msg, "faq", now)
    await _offer(uow, user, draft_id, msg.chat_id, msg.text, suggestions, now)


def _suggestions(kb: KnowledgeBase, text: str) -> list[Suggestion]:
    """Confident FAQ answers worth showing; none for an outage ("у всех не работает")."""
    if not text.strip() or guess(text).priority is Priority.CRITICAL:
        return []
    return kb.confident(text, limit=FAQ_LIMIT)


async def faq_or_register(
    uow: UnitOfWork,
    svc: TicketService,
    kb: KnowledgeBase,
    user: User,
    draft_id: int,
    now: datetime,
) -> None:
    """Offer confident FAQ answers for a draft, or register it at once if there are none."""
    draft = await drafts.get_draft(uow.session, draft_id)
    assert draft is not None
    suggestions = _suggestions(kb, draft.text)
    if suggestions:
        await _offer(uow, user, draft_id, draft.chat_id, draft.text, suggestions, now)
        return
    log_id = await drafts.log_faq(
        uow.session,
        user_id=user.telegram_id,
        client_code=user.client_code,
        query=draft.text,
        shown=[],
        outcome="unanswered",
        now=now,
    )
    await drafts.set_draft_state(uow.session, draft_id, "done", faq_log_id=log_id)
    ticket = await register(uow, svc, user, from_draft(draft, user), now)
    await drafts.close_faq(uow.session, log_id, "unanswered", ticket_id=ticket.id)


async def _offer(
    uow: UnitOfWork,
    user: User,
    draft_id: int,
    chat_id: int,
    query: str,
    suggestions: list[Suggestion],
    now: datetime,
) -> None:
    """Show the FAQ answers found for a held draft; the FAQ log records them."""
    log_id = await drafts.log_faq(
        uow.session,
        user_id=user.telegram_id,
        client_code=user.client_code,
        query=query,
        shown=[{"id": s.entry.id, "score": round(s.score, 4)} for s in suggestions],
        outcome="shown",
        now=now,
    )
    await drafts.set_draft_state(uow.session, draft_id, "faq", faq_log_id=log_id)
    titles = [s.entry.title for s in suggestions]
    enqueue.send(
        uow.session,
        chat_id,
        texts.render("faq_suggest", suggestions=[s.entry for s in suggestions]),
        markup=keyboards.faq(draft_id, titles),
    )


async def register(
    uow: UnitOfWork, svc: TicketService, user: User, msg: Incoming, now: datetime
) -> Ticket:
    """Create the ticket from a user's message and queue the confirmation, the topic
    and the card."""
    guessed = guess(msg.text)
    subject = subject_of(msg.text, texts.render("subject_fallback"))
    ticket = await svc.create_ticket(
        uow,
        requester_id=user.telegram_id,
        subject=subject,
        text=msg.text or subject,
        priority=guessed.priority,
        category=guessed.category,
    )
    assert ticket.id is not None
    terms = await svc.terms(uow, ticket.client_code)
    team = terms.config.teams[terms.client.team]
    owner = terms.config.staff.get(ticket.owner_id)
    await _link_user_message(
        uow, ticket, msg.chat_id, msg.message_id, user.telegram_id, msg.text, now
    )
    due = notify.dues(ticket, terms.client, now)
    notify.to_user(
        uow,
        ticket,
        "registered",
        markup=keyboards.registered(ticket.id),
        owner=owner.name if owner else str(ticket.owner_id),
        priority=ticket.priority.value,
        category=ticket.category.value,
        reaction=due["reaction"],
        resolution=due["resolution"],
    )
    card = render_card(ticket, terms.client, user, owner, None, routed=None, now=now)
    enqueue.open_topic(uow.session, team.chat_id, ticket.id, card)
    relay_of = enqueue.relay("user", msg.chat_id, msg.message_id)
    if text_overflows(msg.text):
        enqueue.send(
            uow.session,
            team.chat_id,
            texts.render("user_in_topic", name=user.first_name, body=msg.html),
            ticket_id=ticket.id,
            topic=True,
            relay_of=relay_of,
        )
    if msg.media:
        enqueue.copy(
            uow.session,
            team.chat_id,
            msg.chat_id,
            msg.message_id,
            caption=texts.render("user_caption", name=user.first_name, body=""),
            ticket_id=ticket.id,
            topic=True,
            relay_of=relay_of,
        )
    return ticket


async def _link_user_message(
    uow: UnitOfWork,
    ticket: Ticket,
    chat_id: int,
    message_id: int,
    user_id: int,
    text: str | None,
    now: datetime,
) -> None:
    """Record a user's message as part of the ticket's public history."""
    assert ticket.id is not None
    link = messaging.MessageLink(
        chat_id=chat_id,
        message_id=message_id,
        ticket_id=ticket.id,
        author="user",
        author_id=user_id,
        public=True,
        text=text,
        at=now,
    )
    await messaging.add_link(uow.session, link)


async def follow_up(
    uow: UnitOfWork,
    svc: TicketService,
    ticket: Ticket,
    msg: Incoming,
    now: datetime,
    *,
    offer_new: bool,
) -> None:
    """Add a user's message to their ticket: into the topic, acknowledged to the user."""
    assert ticket.id is not None
    terms = await svc.terms(uow, ticket.client_code)
    team = terms.config.teams[terms.client.team]
    await _link_user_message(uow, ticket, msg.chat_id, msg.message_id, msg.user_id, msg.text, now)
    in_topic = enqueue.link("user", msg.user_id, public=False, text=None)
    relay_of = enqueue.relay("user", msg.chat_id, msg.message_id)  # a failure is told (sender)
    known = await uow.users.get(msg.user_id)
    name = known.first_name if known is not None else msg.first_name
    if msg.has_media:
        enqueue.copy(
            uow.session,
            team.chat_id,
            msg.chat_id,
            msg.message_id,
            caption=texts.render("user_caption", name=name, body=msg.html),
            ticket_id=ticket.id,
            topic=True,
            link_as=in_topic,
            relay_of=relay_of,
        )
    else:
        enqueue.send(
            uow.session,
            team.chat_id,
            texts.render("user_in_topic", name=name, body=msg.html),
            ticket_id=ticket.id,
            topic=True,
            link_as=in_topic,
            relay_of=relay_of,
        )
    if ticket.status is Status.WAITING:  # the user answered: the SLA clock runs again
        ticket = await svc.resume(uow, ticket.id, Actor.user(msg.user_id))
        await notify.refresh_card(uow, ticket)
    if msg.media_group_id is None:  # an album is acknowledged by none of its items
        markup = None
        if offer_new:
            draft_id = await _draft(uow, msg, "offer", now)
            markup = keyboards.new_ticket(draft_id)
        notify.to_user(uow, ticket, "followup_added", markup=markup)


async def _album_of(uow: UnitOfWork, msg: Incoming) -> Ticket | None:
    """The ticket an album's earlier item went to (album items have consecutive ids)."""
    if msg.media_group_id is None:
        return None
    link = await messaging.link_of(uow.session, msg.chat_id, msg.message_id - 1)
    if link is None or link.author != "user":
        return None
    return await uow.tickets.get_by_id(link.ticket_id)


async def _ticket_replied_to(uow: UnitOfWork, msg: Incoming) -> Ticket | None:
    if msg.reply_to is None:
        return None
    link = await messaging.link_of(uow.session, msg.chat_id, msg.reply_to)
    if link is None:
        return None
    ticket = await uow.tickets.get_by_id(link.ticket_id)
    if ticket.requester_id != msg.user_id or ticket.status not in OPEN_STATUSES:
        return None
    return ticket


async def _draft(uow: UnitOfWork, msg: Incoming, state: str, now: datetime) -> int:
    return await drafts.add_draft(
        uow.session,
        user_id=msg.user_id,
        chat_id=msg.chat_id,
        message_id=msg.message_id,
        text=msg.text,
        html=msg.html,
        media=msg.media,
        state=state,
        now=now,
    )


async def split_off(uow: UnitOfWork, draft: Draft) -> None:
    """The user says a message added to their ticket is a new request: tell the
    ticket's topic, where the message already is, that it goes its own way."""
    link = await messaging.link_of(uow.session, draft.chat_id, draft.message_id)
    if link is None:
        return
    ticket = await uow.tickets.get_by_id(link.ticket_id)
    await notify.to_topic(uow, ticket, "split_off_staff")


def from_draft(draft: Draft, user: User) -> Incoming:
    """A held message as if it had just arrived (after the user picked its ticket)."""
    return Incoming(
        chat_id=draft.chat_id,
        message_id=draft.message_id,
        user_id=user.telegram_id,
        first_name=user.first_name,
        username=user.username,
        text=draft.text,
        html=draft.html,
        media=draft.media,
    )
