"""The staff side's view of a ticket: its card text, buttons and topic name."""

from __future__ import annotations

from datetime import UTC, datetime

from aiogram.types import InlineKeyboardMarkup

from bot import keyboards, texts
from bot.outbox.deliver import CardSource, CardView
from bot.services import catalogue_card
from bot.services.notify import person_of
from bot.services.tickets import TicketService
from desk.alerts import is_system_user
from desk.channels import channel_of
from desk.enums import Status
from desk.model import Client, Staff, Ticket, User
from desk.timefmt import due_of
from storage import incidents, messaging
from storage.uow import UnitOfWork

CARD_TEXT_LIMIT = 1500  # of the user's text on the card; the rest follows in the topic
TOPIC_NAME_LIMIT = 128


def topic_name(ticket: Ticket) -> str:
    """``⟨icon⟩ DEMO-12 · P2 · subject``, cut to Telegram's 128 characters."""
    full = texts.render(
        "topic_name",
        status=ticket.status.value,
        number=ticket.number,
        priority=ticket.priority.value,
        subject=ticket.subject,
    )
    return full if len(full) <= TOPIC_NAME_LIMIT else full[: TOPIC_NAME_LIMIT - 1] + "…"


def text_overflows(text: str) -> bool:
    return len(text) > CARD_TEXT_LIMIT


def card_markup(ticket: Ticket, *, mass: bool = False) -> InlineKeyboardMarkup:
    """The card's own buttons for the ticket as it is now (``mass``: a mass incident)."""
    assert ticket.id is not None
    return keyboards.card(ticket.id, ticket.status, mass=mass)


async def priority_reason(uow: UnitOfWork, ticket_id: int) -> str | None:
    """Why the ticket has its priority: the reason its last priority change gave."""
    for event in reversed(await uow.audit.for_ticket(ticket_id)):
        if event.what == "priority":
            return event.reason
    return None


async def routed_to(uow: UnitOfWork, ticket_id: int) -> str | None:
    """Where a routed-out ticket went: the destination its last routing recorded."""
    for event in reversed(await uow.audit.for_ticket(ticket_id)):
        if event.what == "status" and event.new == Status.ROUTED_OUT.value:
            return event.reason
    return None


def card_source(tickets: TicketService) -> CardSource:
    """``card_view`` reading clients and staff from ``tickets``' directory cache."""

    async def source(uow: UnitOfWork, ticket_id: int) -> CardView:
        return await card_view(uow, ticket_id, tickets)

    return source


async def card_view(uow: UnitOfWork, ticket_id: int, tickets: TicketService) -> CardView:
    """The card, buttons and topic name of the ticket as it is now."""
    ticket = await uow.tickets.get_by_id(ticket_id)
    terms = await tickets.terms(uow, ticket.client_code)
    topic = await uow.messaging.topic_of(ticket_id)
    return render_card(
        ticket,
        terms.client,
        await uow.users.get(ticket.requester_id),
        terms.config.staff.get(ticket.owner_id),
        topic,
        routed=(await routed_to(uow, ticket_id) if ticket.status is Status.ROUTED_OUT else None),
        now=datetime.now(UTC),
        priority_why=await priority_reason(uow, ticket_id),
        incident=await uow.incidents.card_facts(ticket_id, ticket.requester_id),
        form=await catalogue_card.card_facts(
            uow, terms.config, ticket, terms.client.timezone, datetime.now(UTC)
        ),
    )


def render_card(
    ticket: Ticket,
    client: Client,
    user: User | None,
    owner: Staff | None,
    topic: messaging.TicketTopic | None,
    *,
    routed: str | None,
    now: datetime,
    priority_why: str | None = None,
    incident: incidents.CardFacts | None = None,
    form: catalogue_card.CardFacts | None = None,
) -> CardView:
    """The card of ``ticket`` from what the caller has read (a registration has it all)."""
    sla = ticket.sla
    text = ticket.text
    truncated = text_overflows(text)
    if truncated:
        text = text[:CARD_TEXT_LIMIT] + "…"
    card = texts.render(
        "card",
        status=ticket.status.value,
        number=ticket.number,
        escalated=ticket.escalated,
        client=client.name,
        user=user.first_name if user else str(ticket.requester_id),
        username=user.username if user else None,
        # where the user writes from (a monitoring alert's requester writes from nowhere)
        messenger=None
        if is_system_user(ticket.requester_id)
        else channel_of(ticket.user_chat).label,
        category=ticket.category.value,
        priority=ticket.priority.value,
        initial=ticket.registered_priority.value,
        priority_reason=priority_why,
        owner=person_of(owner, ticket.owner_id),  # a mention: a new card notifies its owner
        reaction=due_of(sla.reaction_due if sla else None, now, client.timezone),
        reacted=bool(sla and sla.reacted_at),
        resolution=due_of(sla.resolution_due if sla else None, now, client.timezone),
        routed_to=routed,
        blocked=bool(topic and topic.user_blocked_at),
        undelivered=topic.undelivered if topic else 0,
        attachments=0,
        text=text,
        truncated=truncated,
        incident=incident,  # a mass incident, or a report of one
        form=form,  # the request type, the form's answers and the approval
    )
    return CardView(
        text=card,
        markup=card_markup(ticket, mass=incident is not None),
        topic_name=topic_name(ticket),
        topic=topic,
    )
