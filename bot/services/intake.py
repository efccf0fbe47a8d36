"""A user's message in private chat: FAQ step, registration, or a follow-up.

Everything happens in the caller's unit of work; the user hears back only
through the outbox, i.e. only after the ticket is committed (ARCHITECTURE.md, invariant 1).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot import keyboards, metrics, texts
from bot.outbox import enqueue
from bot.services import form_offer, incidents, notify
from bot.services.actors import Actor
from bot.services.cards import render_card, text_overflows
from bot.services.incoming import Incoming
from bot.services.tickets import TicketService
from desk.enums import OPEN_STATUSES, Priority, Status
from desk.followup import Exchange, continues, is_thanks
from desk.incidents import is_outage
from desk.intake import guess, is_request, subject_of, visible
from desk.model import Ticket, User
from knowledge.base import KnowledgeBase, Suggestion
from storage.drafts import Draft
from storage.uow import UnitOfWork

FAQ_LIMIT = 3
FAQ_WAIT = timedelta(minutes=15)
"""A FAQ suggestion nobody answers is registered as a ticket this long after it was shown
(``register_idle``, run by ``bot.jobs.housekeeping``); writing again registers it at once."""
QUESTION_HOLDS = timedelta(minutes=10)
"""While a «which ticket?» question younger than this is unanswered, further messages wait
for its answer instead of being asked about again (one question per burst)."""


async def receive(
    uow: UnitOfWork, svc: TicketService, kb: KnowledgeBase, msg: Incoming, now: datetime
) -> None:
    """Route a user's message: to the ticket it continues, a question, the FAQ, or a new
    ticket (ARCHITECTURE.md, "Where each feature lives": intake, FAQ step, follow-ups)."""
    user = await uow.users.get(msg.user_id)
    if user is None:
        enqueue.send(uow, msg.chat_id, texts.render("not_bound"))
        return
    if not msg.has_media and not visible(msg.text):  # nothing shows: not even a follow-up
        enqueue.send(uow, msg.chat_id, texts.render("not_a_request"))
        return
    album = await _album_of(uow, msg)
    if album is not None:  # the rest of an album goes where its first item went
        await follow_up(uow, svc, album, msg, now, offer_new=False)
        return
    replied = await _ticket_replied_to(uow, msg)
    if replied is not None:
        await follow_up(uow, svc, replied, msg, now, offer_new=True)
        return
    if await _waits_for_question(uow, msg, now):
        return
    held = await form_offer.claim_offer(uow, user.telegram_id)  # a form offer left unanswered
    if held is not None:  # the message it was offered for goes in as it is, first
        await register(uow, svc, user, from_draft(held, user), now)
    if await _settle_faq(uow, svc, user, msg, now):
        return
    open_tickets = await uow.tickets.open_of(user.telegram_id)
    if (
        open_tickets
        and is_outage(msg.text)
        and not any(is_outage(t.text) for t in open_tickets)
        and await incidents.take_report(uow, svc, kb.analyzer, user, msg, now) is not None
    ):  # an outage others reported, while their own ticket is about something else
        return
    if len(open_tickets) == 1:
        ticket = open_tickets[0]
        verdict = continues(msg.text, await _exchange(uow, ticket, now), replied=False)
        if verdict.attach:
            await follow_up(uow, svc, ticket, msg, now, offer_new=True)
        else:
            await _ask_which(uow, msg, open_tickets, now)
        return
    if open_tickets:
        await _ask_which(uow, msg, open_tickets, now)
        return
    if not msg.has_media and not is_request(msg.text):
        enqueue.send(uow, msg.chat_id, texts.render("not_a_request"))
        return
    if await form_offer.offer(uow, svc, user, msg, now):  # it clearly asks for a form
        return
    if await incidents.take_report(uow, svc, kb.analyzer, user, msg, now) is not None:
        return  # a report of an open mass incident: told at once, no FAQ step, no topic
    suggestions = _suggestions(kb, msg.text)
    if not suggestions:  # straight to a ticket: no draft to keep
        ticket = await register(uow, svc, user, msg, now)
        await uow.drafts.log_faq(
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


async def _exchange(uow: UnitOfWork, ticket: Ticket, now: datetime) -> Exchange:
    """What a follow-up is compared with: the ticket's words and its last exchange."""
    assert ticket.id is not None
    recent = await uow.messaging.public_history(ticket.id, limit=10)
    said = [link.text for link in recent if link.author == "user" and link.text]
    last = max((link.at for link in recent), default=None)
    return Exchange(
        text="\n".join([ticket.subject, ticket.text, *said]),
        priority=ticket.priority,
        since_last=None if last is None else now - last,
    )


async def _ask_which(
    uow: UnitOfWork, msg: Incoming, open_tickets: list[Ticket], now: datetime
) -> None:
    """Hold the message and ask where it goes: «Это новая заявка или дополнение к …?» for
    one open ticket, «К какой заявке?» for several (the buttons: ``pick``)."""
    draft_id = await _draft(uow, msg, "choose", now)
    if len(open_tickets) == 1:
        ticket = open_tickets[0]
        html = texts.render("followup_question", number=ticket.number, subject=ticket.subject)
        choices = [(ticket.id or 0, texts.render("followup_button", number=ticket.number))]
    else:
        html = texts.render("which_ticket")
        choices = [(t.id or 0, f"{t.number} · {t.subject}") for t in open_tickets]
    enqueue.send(uow, msg.chat_id, html, markup=keyboards.pick_ticket(draft_id, choices))


async def _waits_for_question(uow: UnitOfWork, msg: Incoming, now: datetime) -> bool:
    """A message written while a recent «which ticket?» question is unanswered waits for
    that answer (held as ``queued``); True if it does."""
    asked = await uow.drafts.drafts_of(msg.user_id, "choose", since=now - QUESTION_HOLDS)
    if not asked:
        return False
    await _draft(uow, msg, "queued", now)
    return True


async def _settle_faq(
    uow: UnitOfWork, svc: TicketService, user: User, msg: Incoming, now: datetime
) -> bool:
    """A user who writes again instead of pressing a FAQ button: a plain «спасибо» counts
    as «Помогло» (True: nothing more to do); anything else registers the held request
    first, and the new message then goes on its way (to that ticket, most likely)."""
    held = await uow.drafts.drafts_of(user.telegram_id, "faq")
    if not held:
        return False
    if not msg.has_media and is_thanks(msg.text):
        for draft in held:
            if draft.faq_log_id is not None and await uow.drafts.claim_draft(
                draft.id, ("faq",), "done"
            ):
                await uow.drafts.close_faq(draft.faq_log_id, "helped")
                metrics.faq(uow.session, "helped")
        enqueue.send(uow, msg.chat_id, texts.render("faq_helped"))
        return True
    for draft in held:
        await _register_held(uow, svc, user, draft, now)
    return False


async def _register_held(
    uow: UnitOfWork, svc: TicketService, user: User, draft: Draft, now: datetime
) -> Ticket | None:
    """Register a draft whose FAQ suggestions were left unanswered (None: it was answered
    meanwhile)."""
    if not await uow.drafts.claim_draft(draft.id, ("faq",), "done"):
        return None
    ticket = await register(uow, svc, user, from_draft(draft, user), now)
    if draft.faq_log_id is not None:
        await uow.drafts.close_faq(draft.faq_log_id, "ignored", ticket_id=ticket.id)
    return ticket


async def register_idle(uow: UnitOfWork, svc: TicketService, now: datetime) -> int:
    """Register the requests whose FAQ suggestions nobody answered for ``FAQ_WAIT``
    (the suggestion says so); how many were registered."""
    registered = 0
    for draft in await uow.drafts.idle_faq(now - FAQ_WAIT):
        user = await uow.users.get(draft.user_id)
        if user is not None and await _register_held(uow, svc, user, draft, now) is not None:
            registered += 1
    return registered


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
    draft = await uow.drafts.get_draft(draft_id)
    assert draft is not None
    if await incidents.take_report(uow, svc, kb.analyzer, user, from_draft(draft, user), now):
        await uow.drafts.set_draft_state(draft_id, "done")
        return
    suggestions = _suggestions(kb, draft.text)
    if suggestions:
        await _offer(uow, user, draft_id, draft.chat_id, draft.text, suggestions, now)
        return
    log_id = await uow.drafts.log_faq(
        user_id=user.telegram_id,
        client_code=user.client_code,
        query=draft.text,
        shown=[],
        outcome="unanswered",
        now=now,
    )
    await uow.drafts.set_draft_state(draft_id, "done", faq_log_id=log_id)
    ticket = await register(uow, svc, user, from_draft(draft, user), now)
    await uow.drafts.close_faq(log_id, "unanswered", ticket_id=ticket.id)


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
    log_id = await uow.drafts.log_faq(
        user_id=user.telegram_id,
        client_code=user.client_code,
        query=query,
        shown=[{"id": s.entry.id, "score": round(s.score, 4)} for s in suggestions],
        outcome="shown",
        now=now,
    )
    metrics.faq(uow.session, "shown")
    await uow.drafts.set_draft_state(draft_id, "faq", faq_log_id=log_id)
    titles = [s.entry.title for s in suggestions]
    enqueue.send(
        uow,
        chat_id,
        texts.render(
            "faq_suggest",
            suggestions=[s.entry for s in suggestions],
            minutes=int(FAQ_WAIT.total_seconds()) // 60,
        ),
        markup=keyboards.faq(draft_id, titles),
    )


async def register(
    uow: UnitOfWork, svc: TicketService, user: User, msg: Incoming, now: datetime
) -> Ticket:
    """Create the ticket from a user's message and queue the confirmation, the topic
    and the card."""
    guessed = guess(msg.text)
    subject = subject_of(msg.text or msg.shown, texts.render("subject_fallback"))
    ticket = await svc.create_ticket(
        uow,
        requester_id=user.telegram_id,
        reply_chat=msg.chat_id,
        subject=subject,
        text=msg.text or subject,
        priority=guessed.priority,
        category=guessed.category,
    )
    assert ticket.id is not None
    terms = await svc.terms(uow, ticket.client_code)
    team = terms.config.teams[terms.client.team]
    owner = terms.config.staff.get(ticket.owner_id)
    await uow.messaging.add_user_message(
        ticket.id, msg.chat_id, msg.message_id, user.telegram_id, msg.shown, now
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
    enqueue.open_topic(uow, team.chat_id, ticket.id, card)
    await notify.alert_p1(uow, svc, ticket, now)  # a new P1 calls the team on shift
    relay_of = enqueue.relay("user", msg.chat_id, msg.message_id)
    if text_overflows(msg.text):
        enqueue.send(
            uow,
            team.chat_id,
            texts.render("user_in_topic", name=user.first_name, body=msg.html),
            ticket_id=ticket.id,
            topic=True,
            relay_of=relay_of,
        )
    if msg.media:
        enqueue.copy(
            uow,
            team.chat_id,
            msg.chat_id,
            msg.message_id,
            caption=texts.render("user_caption", name=user.first_name, body=""),
            ticket_id=ticket.id,
            media=msg.media,
            topic=True,
            relay_of=relay_of,
        )
    return ticket


async def follow_up(
    uow: UnitOfWork,
    svc: TicketService,
    ticket: Ticket,
    msg: Incoming,
    now: datetime,
    *,
    offer_new: bool,
    acknowledge: bool = True,
) -> None:
    """Add a user's message to their ticket: into the topic, acknowledged to the user
    (unless ``acknowledge`` is off: one of several messages settled by one answer)."""
    assert ticket.id is not None
    if await incidents.follow_up(uow, ticket, msg, now, offer_new, acknowledge):
        return  # a report of a mass incident: into the incident's topic
    terms = await svc.terms(uow, ticket.client_code)
    team = terms.config.teams[terms.client.team]
    await uow.messaging.add_user_message(
        ticket.id, msg.chat_id, msg.message_id, msg.user_id, msg.shown, now
    )
    in_topic = enqueue.link("user", msg.user_id, public=False, text=None)
    relay_of = enqueue.relay("user", msg.chat_id, msg.message_id)  # a failure is told (sender)
    known = await uow.users.get(msg.user_id)
    name = known.first_name if known is not None else msg.first_name
    if msg.has_media:
        enqueue.copy(
            uow,
            team.chat_id,
            msg.chat_id,
            msg.message_id,
            caption=texts.render("user_caption", name=name, body=msg.html),
            ticket_id=ticket.id,
            media=msg.media,
            topic=True,
            link_as=in_topic,
            relay_of=relay_of,
        )
    else:
        enqueue.send(
            uow,
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
    if acknowledge and msg.media_group_id is None:  # an album: none of its items
        markup = None
        if offer_new:
            draft_id = await _draft(uow, msg, "offer", now)
            markup = keyboards.new_ticket(draft_id)
        notify.to_user_in(
            uow,
            ticket,
            msg.chat_id,  # where they wrote it (a person may have two messengers)
            "followup_added",
            markup=markup,
            subject=ticket.subject,
            offer=offer_new,
        )


async def _album_of(uow: UnitOfWork, msg: Incoming) -> Ticket | None:
    """The ticket an album's earlier item went to (album items have consecutive ids)."""
    if msg.media_group_id is None:
        return None
    link = await uow.messaging.link_of(msg.chat_id, msg.message_id - 1)
    if link is None or link.author != "user":
        return None
    return await uow.tickets.get_by_id(link.ticket_id)


async def _ticket_replied_to(uow: UnitOfWork, msg: Incoming) -> Ticket | None:
    if msg.reply_to is None:
        return None
    link = await uow.messaging.link_of(msg.chat_id, msg.reply_to)
    if link is None:
        return None
    ticket = await uow.tickets.get_by_id(link.ticket_id)
    if ticket.requester_id != msg.user_id or ticket.status not in OPEN_STATUSES:
        return None
    return ticket


async def _draft(uow: UnitOfWork, msg: Incoming, state: str, now: datetime) -> int:
    return await uow.drafts.add_draft(
        user_id=msg.user_id,
        chat_id=msg.chat_id,
        message_id=msg.message_id,
        text=msg.text,
        html=msg.html,
        media=msg.media,
        state=state,
        now=now,
    )


async def picked(
    uow: UnitOfWork,
    svc: TicketService,
    kb: KnowledgeBase,
    user: User,
    draft: Draft,
    ticket: Ticket | None,
    now: datetime,
) -> None:
    """The answer to «which ticket?» (``ticket`` None: a new request), for the held message
    and for those written while the question waited (as the question promised)."""
    later = [
        held
        for held in await uow.drafts.drafts_of(user.telegram_id, "queued")
        if await uow.drafts.claim_draft(held.id, ("queued",), "picked")
    ]
    if ticket is None and not later:
        await faq_or_register(uow, svc, kb, user, draft.id, now)
        return
    if ticket is None:  # several messages describe the new request: no FAQ step
        await uow.drafts.set_draft_state(draft.id, "done")
        ticket = await register(uow, svc, user, from_draft(draft, user), now)
    else:
        await follow_up(uow, svc, ticket, from_draft(draft, user), now, offer_new=False)
    for held in later:
        await follow_up(
            uow, svc, ticket, from_draft(held, user), now, offer_new=False, acknowledge=False
        )


async def split_off(
    uow: UnitOfWork,
    svc: TicketService,
    user: User,
    draft: Draft,
    confirmation_id: int | None,
    now: datetime,
) -> Ticket:
    """The user says a message added to their ticket is a new request: register it at once
    (they said so: no FAQ step), correct the «Добавил к заявке» they were sent
    (``confirmation_id``), and tell the old ticket's topic, where the message already is,
    which ticket it went to."""
    link = await uow.messaging.link_of(draft.chat_id, draft.message_id)
    new = await register(uow, svc, user, from_draft(draft, user), now)
    if link is None:
        return new
    old = await uow.tickets.get_by_id(link.ticket_id)
    if confirmation_id is not None:
        enqueue.edit(
            uow,
            draft.chat_id,
            confirmation_id,
            texts.render("followup_split", number=old.number, new_number=new.number),
        )
    await notify.to_topic(uow, old, "split_off_staff", new_number=new.number)
    return new


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
