"""``supportdesk audit``: read the audit trail, verify its hash chain."""

from __future__ import annotations

import argparse

from bot.cli.database import add_database_option, with_database
from bot.cli.output import complain, say
from bot.services.tickets import TicketService
from desk.errors import NotFound
from storage.database import Database


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
                numbers = {ticket.id: ticket.number}
            else:
                events = await uow.audit.latest(args.limit)
                numbers = {}
                for event in events:
                    if event.ticket_id is not None and event.ticket_id not in numbers:
                        numbers[event.ticket_id] = (
                            await uow.tickets.get_by_id(event.ticket_id)
                        ).number
        say("audit_show", events=events, numbers=numbers, number=args.number)
        return 0

    return with_database(args, run)


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
