"""``supportdesk audit``: read the audit trail, verify its hash chain."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.cli.database import add_database_option, with_database
from bot.cli.output import complain, say
from bot.services.history import decoded
from bot.services.reasons import Reason, read
from bot.services.tickets import TicketService
from desk.errors import NotFound
from desk.model import AuditEvent
from desk.timefmt import msk_offset
from storage.database import Database
from storage.uow import UnitOfWork

MOSCOW = "Europe/Moscow"


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit = subparsers.add_parser("audit", help="журнал аудита: просмотр и проверка")
    commands = audit.add_subparsers(dest="audit_command", metavar="COMMAND", required=True)

    show = commands.add_parser("show", help="события заявки или последние события")
    show.add_argument("number", nargs="?", metavar="NUMBER", help="номер заявки")
    show.add_argument("--limit", type=int, default=50, help="сколько последних событий (50)")
    add_database_option(show)
    show.set_defaults(handler=_show)

    verify = commands.add_parser(
        "verify", help="проверить цепочку хешей: код 1, если событие изменено или удалено"
    )
    add_database_option(verify)
    verify.set_defaults(handler=_verify)


def _show(args: argparse.Namespace) -> int:
    async def run(database: Database) -> int:
        async with database.uow() as uow:
            if args.number:
                try:
                    ticket = await TicketService().get(uow, args.number)
                except NotFound:
                    complain("ticket_not_found", number=args.number)
                    return 1
                events = await uow.audit.for_ticket(ticket.id or 0)
            else:
                events = await uow.audit.latest(args.limit)
            rows = await _rows(uow, events)
        say("audit_show", rows=rows, number=args.number)
        return 0

    return with_database(args, run)


@dataclass(frozen=True)
class _Row:
    """An event as the terminal shows it: the ticket's number, the time in its client's
    zone (Moscow for config events) and JSON values decoded."""

    event: AuditEvent
    number: str | None
    zone: str
    msk_offset: int
    old: object
    new: object
    why: Reason | None  # a reason the product writes, decoded (else shown as recorded)


async def _rows(uow: UnitOfWork, events: list[AuditEvent]) -> list[_Row]:
    tickets: dict[int, tuple[str, str]] = {}  # id -> (number, timezone)
    rows = []
    for event in events:
        number, zone = None, MOSCOW
        if event.ticket_id is not None:
            if event.ticket_id not in tickets:
                ticket = await uow.tickets.get_by_id(event.ticket_id)
                client = await uow.directory.client(ticket.client_code)
                tickets[event.ticket_id] = (ticket.number, client.timezone)
            number, zone = tickets[event.ticket_id]
        local = event.at.astimezone(ZoneInfo(zone))
        rows.append(
            _Row(
                event,
                number,
                zone,
                msk_offset(local),
                decoded(event.old),
                decoded(event.new),
                read(event.reason),
            )
        )
    return rows


def _verify(args: argparse.Namespace) -> int:
    async def run(database: Database) -> int:
        async with database.uow() as uow:
            problems = await uow.audit.verify()
            count = await uow.audit.count()
        if problems:
            complain("audit_broken", problems=problems)
            return 1
        say("audit_intact", count=count)
        return 0

    return with_database(args, run)
