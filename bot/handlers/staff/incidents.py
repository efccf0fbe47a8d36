"""Mass incidents in the staff group, one handler per command or button
(``bot.services.incidents`` does the work).

- ``/mass`` in a ticket's topic, or the card's «🔥 Массовый инцидент»: the ticket is a
  mass incident; ``/mass DEMO URAL: что случилось`` anywhere else in the group: one
  for each client named (``all``: every client of the team), each with its topic;
- ``/link DEMO-14 [DEMO-15 …]`` in a ticket's topic (or in reply to its card in a plain
  group): the tickets named become reports of this one, which becomes a mass incident
  if it was not; typed in the topic of a ticket that is not one, naming one that is,
  this ticket becomes its report. A bare number means the same client's (``/link 14``);
- ``/unlink DEMO-14`` in the incident's topic, or ``/unlink`` in a linked ticket's own
  topic: a ticket of its own again;
- «Объединить в массовый инцидент» under the bot's proposal: the merge.

Only active staff of the group's team (``IsStaff``, ``StaffPress``); anyone else's
command is refused by ``refuse`` (at most once an hour, ``bot.services.outsiders``),
their press by ``bot.handlers.staff.outsiders``.  Every ticket named in a command is
read from the database and must be of the topic's client (tenancy, invariant 4).
"""

from __future__ import annotations

import re

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, Message

from bot import texts
from bot.callbacks import StaffCb
from bot.handlers.filters import InTicket, IsStaff, StaffPress, place_of
from bot.handlers.staff._common import Clock, reply
from bot.outbox import enqueue
from bot.services import incidents, outsiders, staff
from bot.services.actors import Actor
from bot.services.tickets import TicketService
from desk.errors import NotFound
from desk.incidents import BadWide, parse_wide
from desk.model import Staff, Ticket
from storage.uow import UnitOfWork

COMMANDS = ("mass", "link", "unlink")
_NUMBER = re.compile(r"^(?:([A-Za-zА-Яа-яЁё0-9]{1,16})-)?(\d{1,12})$")


def _usage(uow: UnitOfWork, message: Message, command: str, ticket: Ticket | None) -> None:
    reply(uow, message, texts.render("incident_usage", command=command), ticket)


def _not_declared(
    uow: UnitOfWork, message: Message, ticket: Ticket, declared: incidents.Declared
) -> None:
    html = texts.render("incident_not_declared", why=declared.value, number=ticket.number)
    reply(uow, message, html, ticket)


def _results(
    uow: UnitOfWork,
    message: Message,
    ticket: Ticket,
    template: str,
    incident: Ticket,
    results: list[tuple[str, str]],
    unknown: list[str],
) -> None:
    html = texts.render(template, incident=incident.number, results=results, unknown=unknown)
    reply(uow, message, html, ticket)


async def _named(uow: UnitOfWork, here: Ticket, args: str) -> tuple[list[Ticket], list[str]]:
    """The tickets ``args`` names, of the client of ``here`` only, and the words that name
    none of them (unknown, malformed, or another client's: not told apart)."""
    found: list[Ticket] = []
    unknown: list[str] = []
    for word in args.replace(",", " ").split():
        match = _NUMBER.match(word)
        if match is None:
            unknown.append(word)
            continue
        code, n = match.groups()
        number = f"{(code or here.client_code).upper()}-{int(n)}"
        try:
            ticket = await uow.tickets.get(number)
        except NotFound:
            unknown.append(word)
            continue
        if ticket.client_code != here.client_code:
            unknown.append(word)
        elif all(t.id != ticket.id for t in found):
            found.append(ticket)
    return found, unknown


async def mass(
    message: Message,
    command: CommandObject,
    member: Staff,
    uow: UnitOfWork,
    tickets: TicketService,
    now: Clock,
) -> None:
    """/mass: this topic's ticket, or (outside a topic) one per client named."""
    ticket = await staff.ticket_at(uow, place_of(message))
    if ticket is not None:
        declared = await incidents.declare_by_staff(uow, ticket, member.telegram_id, now())
        if declared is not incidents.Declared.DONE:
            _not_declared(uow, message, ticket, declared)
        return
    config = await uow.directory.load()
    codes = sorted(code for code, c in config.clients.items() if c.team == member.team)
    try:
        chosen, summary = parse_wide(command.args or "", codes)
    except BadWide:
        _usage(uow, message, "mass", None)
        return
    made = await incidents.declare_wide(uow, tickets, member.telegram_id, chosen, summary, now())
    parts = [(t.number, config.clients[t.client_code].name) for t in made]
    reply(uow, message, texts.render("incident_wide_declared", parts=parts, summary=summary))


async def link(
    message: Message,
    command: CommandObject,
    member: Staff,
    ticket: Ticket,
    uow: UnitOfWork,
    now: Clock,
) -> None:
    named, unknown = await _named(uow, ticket, command.args or "")
    if not named and not unknown:
        _usage(uow, message, "link", ticket)
        return
    assert ticket.id is not None
    moment = now()
    incident = ticket
    if await uow.incidents.mass_of(ticket.id) is None:
        other = named[0] if len(named) == 1 else None
        if other is not None and await uow.incidents.mass_of(other.id or 0) is not None:
            incident, named = other, [ticket]  # «this ticket belongs to that incident»
        else:
            declared = await incidents.declare_by_staff(uow, ticket, member.telegram_id, moment)
            if declared not in (incidents.Declared.DONE, incidents.Declared.ALREADY):
                html = texts.render(
                    "incident_not_declared", why=declared.value, number=ticket.number
                )
                reply(uow, message, html, ticket)
                return
    results = [
        (t.number, (await incidents.link(uow, incident, t, member.telegram_id, moment)).value)
        for t in named
    ]
    html = texts.render(
        "incident_linked", incident=incident.number, results=results, unknown=unknown
    )
    reply(uow, message, html, ticket)


async def unlink(
    message: Message,
    command: CommandObject,
    member: Staff,
    ticket: Ticket,
    uow: UnitOfWork,
    tickets: TicketService,
    now: Clock,
) -> None:
    assert ticket.id is not None
    actor, moment = Actor.staff(member.telegram_id), now()
    if not (command.args or "").strip():  # in a linked ticket's own topic: itself
        row = await uow.incidents.report_of(ticket.id)
        if row is None:
            _usage(uow, message, "unlink", ticket)
            return
        incident = await uow.tickets.get_by_id(row.incident_id)
        done = await incidents.unlink(uow, tickets, incident, ticket, actor, moment)
        results = [(ticket.number, done.value)]
        html = texts.render(
            "incident_unlinked", incident=incident.number, results=results, unknown=[]
        )
        reply(uow, message, html, ticket)
        return
    named, unknown = await _named(uow, ticket, command.args or "")
    results = [
        (t.number, (await incidents.unlink(uow, tickets, ticket, t, actor, moment)).value)
        for t in named
    ]
    html = texts.render(
        "incident_unlinked", incident=ticket.number, results=results, unknown=unknown
    )
    reply(uow, message, html, ticket)


async def no_ticket(message: Message, command: CommandObject, uow: UnitOfWork) -> None:
    """/link or /unlink outside any ticket's topic."""
    _usage(uow, message, command.command, None)


async def refuse(message: Message, uow: UnitOfWork, now: Clock) -> None:
    """Anyone but staff of the group's team."""
    assert message.from_user is not None
    ticket = await staff.ticket_at(uow, place_of(message))
    await outsiders.refuse(uow, message.chat.id, message.from_user.id, now(), ticket)


async def mass_button(
    query: CallbackQuery, member: Staff, ticket: Ticket, uow: UnitOfWork, now: Clock
) -> None:
    declared = await incidents.declare_by_staff(uow, ticket, member.telegram_id, now())
    if declared is incidents.Declared.DONE:
        await query.answer()
        return
    html = texts.render("incident_not_declared", why=declared.value, number=ticket.number)
    await query.answer(html, show_alert=True)


async def merge_button(
    query: CallbackQuery, member: Staff, ticket: Ticket, uow: UnitOfWork, now: Clock
) -> None:
    """«Объединить в массовый инцидент» under the proposal in the first ticket's topic."""
    assert query.message is not None  # InChats on the group router
    results = await incidents.merge(uow, ticket, member.telegram_id, now())
    if results is None:
        await query.answer(texts.render("incident_merge_stale"), show_alert=True)
        return
    chat_id = query.message.chat.id
    enqueue.set_markup(uow, chat_id, query.message.message_id, None)
    html = texts.render(
        "incident_linked", incident=ticket.number, results=[(n, r.value) for n, r in results],
        unknown=[], merged=True,
    )  # fmt: skip
    enqueue.send(uow, chat_id, html, ticket_id=ticket.id, topic=True)
    await query.answer()


def build() -> Router:
    router = Router(name="staff.incidents")
    staff_only = IsStaff()
    for name, handler in (("mass", mass), ("link", link), ("unlink", unlink)):
        where = () if name == "mass" else (InTicket(),)
        router.message.register(handler, Command(name, ignore_mention=True), staff_only, *where)
    router.message.register(no_ticket, Command("link", "unlink", ignore_mention=True), staff_only)
    router.message.register(refuse, Command(*COMMANDS, ignore_mention=True), ~IsStaff())
    router.callback_query.register(mass_button, StaffCb.filter(F.action == "mass"), StaffPress())
    router.callback_query.register(merge_button, StaffCb.filter(F.action == "merge"), StaffPress())
    return router
