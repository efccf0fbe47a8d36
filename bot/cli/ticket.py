"""``supportdesk ticket``: list tickets and show one with its SLA and audit trail."""

from __future__ import annotations

import argparse
from typing import Any

from bot.cli.database import add_database_option, with_database
from bot.cli.output import complain, say
from bot.services.tickets import TicketService
from desk.enums import Status
from desk.errors import NotFound
from desk.model import Ticket
from storage.database import Database
from storage.uow import UnitOfWork


def register(ticket: argparse.ArgumentParser) -> None:
    commands = ticket.add_subparsers(dest="ticket_command", metavar="COMMAND", required=True)

    listing = commands.add_parser("list", help="заявки, новые сверху")
    listing.add_argument("--client", metavar="CODE", help="только этого клиента")
    listing.add_argument(
        "--status", choices=[s.value for s in Status], help="только в этом статусе"
    )
    listing.add_argument("--limit", type=int, default=50, help="сколько показать (50)")
    add_database_option(listing)
    listing.set_defaults(handler=_list)

    show = commands.add_parser("show", help="заявка: поля, SLA и журнал аудита")
    show.add_argument("number", metavar="NUMBER", help="номер, например DEMO-12")
    add_database_option(show)
    show.set_defaults(handler=_show)


async def names(uow: UnitOfWork, tickets: list[Ticket]) -> dict[str, Any]:
    """Staff names, client timezones and client names the templates show."""
    staff: dict[int, str] = {}
    zones: dict[str, str] = {}
    clients: dict[str, str] = {}
    for ticket in tickets:
        if ticket.owner_id not in staff:
            member = await uow.directory.staff(ticket.owner_id)
            staff[ticket.owner_id] = member.name if member else str(ticket.owner_id)
        if ticket.client_code not in zones:
            client = await uow.directory.client(ticket.client_code)
            zones[client.code], clients[client.code] = client.timezone, client.name
    return {"staff": staff, "zones": zones, "clients": clients}


def _list(args: argparse.Namespace) -> int:
    async def run(database: Database) -> int:
        async with database.uow() as uow:
            tickets = await uow.tickets.list(
                client_code=args.client.upper() if args.client else None,
                status=Status(args.status) if args.status else None,
                limit=args.limit,
            )
            say("ticket_list", tickets=tickets, **await names(uow, tickets))
        return 0

    return with_database(args, run)


def _show(args: argparse.Namespace) -> int:
    async def run(database: Database) -> int:
        async with database.uow() as uow:
            try:
                ticket = await TicketService().get(uow, args.number)
            except NotFound:
                complain("ticket_not_found", number=args.number)
                return 1
            requester = await uow.users.get(ticket.requester_id)
            events = await uow.audit.for_ticket(ticket.id or 0)
            context = await names(uow, [ticket])
            say("ticket_show", ticket=ticket, requester=requester, events=events, **context)
        return 0

    return with_database(args, run)
