"""Commands in a ticket's topic (or in reply to its card in a plain group).

/take /assign @user /priority N /escalate /wait /route /resolve /close /reopen
/history /note text /pass (in reply to an engineer's message) /faq (in reply
to a consultant's answer).  Each re-checks in the database that the sender
is active staff of the team and (in the ticket service) that the move is allowed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot import keyboards, texts
from bot.outbox import enqueue
from bot.services import history, notify, outsiders, relay, staff
from bot.services.actors import Actor
from bot.services.incoming import incoming
from bot.services.tickets import TicketService
from bot.settings import Settings
from desk.enums import Priority
from desk.model import Staff, Ticket
from knowledge.base import KnowledgeBase
from storage.uow import UnitOfWork

COMMANDS = (
    "take", "assign", "priority", "escalate", "wait", "route", "resolve",
    "close", "reopen", "history", "note", "pass", "faq",
)  # fmt: skip


def _reply(uow: UnitOfWork, message: Message, html: str, ticket: Ticket | None = None) -> None:
    enqueue.send(
        uow.session,
        message.chat.id,
        html,
        ticket_id=ticket.id if ticket else None,
        topic=ticket is not None,
    )


async def _context(message: Message, uow: UnitOfWork, now: datetime) -> tuple[Staff, Ticket] | None:
    """The sender as staff and the ticket of this topic, or None after saying why not."""
    assert message.from_user is not None
    msg = incoming(message)
    ticket = await staff.ticket_at(uow, staff.Place(msg.chat_id, msg.thread_id, msg.reply_to))
    member = await staff.staff_of_chat(uow, message.chat.id, message.from_user.id)
    if member is None:  # answered (once an hour) where it was said: in the ticket's topic
        await outsiders.refuse(uow, message.chat.id, message.from_user.id, now, ticket)
        return None
    if ticket is None:
        _reply(uow, message, texts.render("staff_no_ticket"))
        return None
    return member, ticket


async def command(
    message: Message,
    command: CommandObject,
    uow: UnitOfWork,
    tickets: TicketService,
    kb: KnowledgeBase,
    settings: Settings,
    now: Callable[[], datetime],
) -> None:
    found = await _context(message, uow, now())
    if found is None:
        return
    member, ticket = found
    who, name, args = member.telegram_id, command.command.lower(), (command.args or "").strip()
    reply_to = message.reply_to_message.message_id if message.reply_to_message else None
    if name == "take":
        await staff.take(uow, tickets, ticket, who)
    elif name == "assign":
        await _assign(uow, message, tickets, ticket, who, args)
    elif name == "priority":
        if args not in {"1", "2", "3", "4", "5"}:
            _reply(uow, message, texts.render("staff_usage", command="priority"), ticket)
        elif not await staff.set_priority(
            uow, tickets, ticket, Actor.staff(who), Priority(int(args)), now()
        ):
            _reply(uow, message, texts.render("priority_same", priority=int(args)), ticket)
    elif name == "escalate":
        if not await staff.escalate(uow, tickets, ticket, who):
            _reply(uow, message, texts.render("staff_already_escalated"), ticket)
    elif name == "wait":
        await staff.wait(uow, tickets, ticket, who)
    elif name == "route":
        await _route(uow, message, ticket, who)
    elif name == "resolve":
        await staff.resolve(uow, tickets, ticket, who, now(), settings.autoclose_minutes)
    elif name == "close":
        await staff.close(uow, tickets, ticket, who)
    elif name == "reopen":
        await staff.reopen(uow, tickets, ticket, who)
    elif name == "history":
        await _history(uow, message, ticket)
    elif name == "note":
        pass  # a note stays in the topic: nothing to do
    elif name == "pass":
        if reply_to is None:
            _reply(uow, message, texts.render("staff_usage", command="pass"), ticket)
        else:
            await relay.pass_on(uow, tickets, ticket, member, message.chat.id, reply_to, now())
            _reply(uow, message, texts.render("staff_passed"), ticket)
    elif name == "faq":
        if reply_to is None:
            _reply(uow, message, texts.render("staff_usage", command="faq"), ticket)
        else:
            entry = await relay.save_faq(uow, kb, ticket, message.chat.id, reply_to)
            _reply(
                uow,
                message,
                texts.render("staff_faq_saved", title=entry.title, entry_id=entry.id),
                ticket,
            )


async def _assign(
    uow: UnitOfWork, message: Message, tickets: TicketService, ticket: Ticket, who: int, args: str
) -> None:
    if not args:
        _reply(uow, message, texts.render("staff_usage", command="assign"), ticket)
        return
    username = args.split()[0]
    assigned = await staff.assign(uow, tickets, ticket, who, username)
    if assigned is staff.Assigned.ALREADY:
        owner = await notify.owner_name(uow, ticket)
        _reply(uow, message, texts.render("staff_already_owner", owner=owner), ticket)
    elif assigned is staff.Assigned.UNKNOWN:
        html = texts.render(
            "staff_unknown_staff",
            who="@" + username.lstrip("@"),
            team=await staff.team_name(uow, ticket),
        )
        _reply(uow, message, html, ticket)


async def _route(uow: UnitOfWork, message: Message, ticket: Ticket, who: int) -> None:
    assert ticket.id is not None
    targets = await staff.route_targets(uow, ticket)
    if not targets:
        _reply(uow, message, texts.render("staff_no_contacts"), ticket)
        return
    enqueue.send(
        uow.session,
        message.chat.id,
        texts.render("staff_route_choose", number=ticket.number),
        ticket_id=ticket.id,
        topic=True,
        markup=keyboards.route_targets(ticket.id, [label for label, _ in targets], on_card=False),
    )


async def _history(uow: UnitOfWork, message: Message, ticket: Ticket) -> None:
    events = await history.lines(uow, ticket)
    _reply(uow, message, texts.render("staff_history", number=ticket.number, events=events), ticket)


def build() -> Router:
    router = Router(name="staff.commands")
    router.message.register(command, Command(*COMMANDS, ignore_mention=True))
    return router
