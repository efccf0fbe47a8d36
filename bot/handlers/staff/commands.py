"""Commands in a ticket's topic (or in reply to its card in a plain group), one handler each.

/take /assign @user (or a name) /priority N /escalate /wait /route /resolve
/close /reopen /history /note text /pass (in reply to an engineer's message)
/faq (in reply to a consultant's answer); /help anywhere in the group (the
staff help, ``bot.services.staff_help``).  The router takes only these commands and only from
active staff of the group's team (``IsStaff`` gives the handler ``member``);
each handler also needs the ticket of the topic (``InTicket`` gives ``ticket``),
and the ticket service re-checks that the move is allowed.  A staff command
outside any ticket's topic is answered by ``no_ticket``; anyone else's by
``bot.handlers.staff.outsiders``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot import keyboards, texts
from bot.handlers.filters import InTicket, IsStaff, place_of
from bot.handlers.staff._common import Clock, reply
from bot.outbox import enqueue
from bot.services import history, notify, relay, staff, staff_help
from bot.services.actors import Actor
from bot.services.priority import change as change_priority
from bot.services.tickets import TicketService
from bot.settings import Settings
from desk.enums import Priority
from desk.model import Staff, Ticket
from knowledge.base import KnowledgeBase
from storage.uow import UnitOfWork


def _usage(uow: UnitOfWork, message: Message, ticket: Ticket, command: str) -> None:
    reply(uow, message, texts.render("staff_usage", command=command), ticket)


def _reply_to(message: Message) -> int | None:
    return message.reply_to_message.message_id if message.reply_to_message else None


async def take(
    message: Message, member: Staff, ticket: Ticket, uow: UnitOfWork, tickets: TicketService
) -> None:
    await staff.take(uow, tickets, ticket, member.telegram_id)


async def assign(
    message: Message,
    command: CommandObject,
    member: Staff,
    ticket: Ticket,
    uow: UnitOfWork,
    tickets: TicketService,
) -> None:
    wanted = (command.args or "").strip()
    if not wanted:
        _usage(uow, message, ticket, "assign")
        return
    assigned = await staff.assign(uow, tickets, ticket, member.telegram_id, wanted)
    if assigned is staff.Assigned.ALREADY:
        owner = await notify.owner_name(uow, ticket)
        reply(uow, message, texts.render("staff_already_owner", owner=owner), ticket)
    elif assigned in (staff.Assigned.UNKNOWN, staff.Assigned.SEVERAL):
        html = texts.render(
            "staff_unknown_staff",
            who=wanted if wanted.startswith("@") else f"«{wanted}»",
            several=assigned is staff.Assigned.SEVERAL,
            team=await staff.team_name(uow, ticket),
            people=[
                {"name": s.name, "username": s.username, "line": s.line.value}
                for s in await staff.team_people(uow, ticket)
            ],
        )
        reply(uow, message, html, ticket)


async def priority(
    message: Message,
    command: CommandObject,
    member: Staff,
    ticket: Ticket,
    uow: UnitOfWork,
    tickets: TicketService,
    now: Clock,
) -> None:
    value, _, why = (command.args or "").strip().partition(" ")  # /priority 2 [reason]
    if value not in {"1", "2", "3", "4", "5"}:
        _usage(uow, message, ticket, "priority")
        return
    actor = Actor.staff(member.telegram_id)
    chosen, reason = Priority(int(value)), why.strip() or None
    if not await change_priority(uow, tickets, ticket, actor, chosen, now(), reason):
        reply(uow, message, texts.render("priority_same", priority=int(value)), ticket)


async def escalate(
    message: Message, member: Staff, ticket: Ticket, uow: UnitOfWork, tickets: TicketService
) -> None:
    escalated = await staff.escalate(uow, tickets, ticket, member.telegram_id)
    if escalated is staff.Escalated.ALREADY:
        reply(uow, message, texts.render("staff_already_escalated"), ticket)


async def wait(
    message: Message, member: Staff, ticket: Ticket, uow: UnitOfWork, tickets: TicketService
) -> None:
    await staff.wait(uow, tickets, ticket, member.telegram_id)


async def route(message: Message, ticket: Ticket, uow: UnitOfWork) -> None:
    """A menu of the contract's contacts; the choice is a button (``buttons.route_to``)."""
    assert ticket.id is not None
    targets = await staff.route_targets(uow, ticket)
    if not targets:
        reply(uow, message, texts.render("staff_no_contacts"), ticket)
        return
    enqueue.send(
        uow,
        message.chat.id,
        texts.render("staff_route_choose", number=ticket.number),
        ticket_id=ticket.id,
        topic=True,
        markup=keyboards.route_targets(ticket.id, [label for label, _ in targets], on_card=False),
    )


async def resolve(
    message: Message,
    command: CommandObject,
    member: Staff,
    ticket: Ticket,
    uow: UnitOfWork,
    tickets: TicketService,
    settings: Settings,
    now: Clock,
) -> None:
    """/resolve [how it was solved]: the words reach the user (and a mass incident's users)."""
    comment = (command.args or "").strip() or None
    await staff.resolve(
        uow, tickets, ticket, member.telegram_id, now(), settings.autoclose_minutes, comment
    )


async def close(
    message: Message, member: Staff, ticket: Ticket, uow: UnitOfWork, tickets: TicketService
) -> None:
    await staff.close(uow, tickets, ticket, member.telegram_id)


async def reopen(
    message: Message, member: Staff, ticket: Ticket, uow: UnitOfWork, tickets: TicketService
) -> None:
    await staff.reopen(uow, tickets, ticket, member.telegram_id)


async def show_history(message: Message, ticket: Ticket, uow: UnitOfWork) -> None:
    events = await history.lines(uow, ticket)
    reply(uow, message, texts.render("staff_history", number=ticket.number, events=events), ticket)


async def note(message: Message) -> None:
    """A note stays in the topic: nothing to do (and nothing reaches the user)."""


async def pass_on(
    message: Message,
    member: Staff,
    ticket: Ticket,
    uow: UnitOfWork,
    tickets: TicketService,
    now: Clock,
) -> None:
    """/pass in reply to an engineer's note: the note reaches the user."""
    reply_to = _reply_to(message)
    if reply_to is None:
        _usage(uow, message, ticket, "pass")
        return
    await relay.pass_on(uow, tickets, ticket, member, message.chat.id, reply_to, now())
    reply(uow, message, texts.render("staff_passed"), ticket)


async def faq(message: Message, ticket: Ticket, uow: UnitOfWork, kb: KnowledgeBase) -> None:
    """/faq in reply to a consultant's answer: it becomes a draft FAQ entry."""
    reply_to = _reply_to(message)
    if reply_to is None:
        _usage(uow, message, ticket, "faq")
        return
    entry = await relay.save_faq(uow, kb, ticket, message.chat.id, reply_to)
    html = texts.render("staff_faq_saved", title=entry.title, entry_id=entry.id)
    reply(uow, message, html, ticket)


async def help_(message: Message, uow: UnitOfWork) -> None:
    """/help anywhere in the group: the staff commands (in the topic it was asked in)."""
    ticket = await staff.ticket_at(uow, place_of(message))
    reply(uow, message, staff_help.render(), ticket)


async def no_ticket(message: Message, uow: UnitOfWork) -> None:
    """A staff command typed outside any ticket's topic."""
    reply(uow, message, texts.render("staff_no_ticket"))


HANDLERS: dict[str, Callable[..., Awaitable[None]]] = {
    "take": take,
    "assign": assign,
    "priority": priority,
    "escalate": escalate,
    "wait": wait,
    "route": route,
    "resolve": resolve,
    "close": close,
    "reopen": reopen,
    "history": show_history,
    "note": note,
    "pass": pass_on,
    "faq": faq,
}
COMMANDS = tuple(HANDLERS)


def build() -> Router:
    router = Router(name="staff.commands")
    router.message.filter(Command(*COMMANDS, "help", ignore_mention=True), IsStaff())
    router.message.register(help_, Command("help", ignore_mention=True))
    for name, handler in HANDLERS.items():
        router.message.register(handler, Command(name, ignore_mention=True), InTicket())
    router.message.register(no_ticket)
    return router
