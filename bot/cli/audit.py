"""``supportdesk audit``: read the audit trail, verify its hash chain.

``show`` decodes ticket events as /history does (``bot.services.history``:
owners by name, the product's reasons in Russian) and sums up a config change
as what changed in which record; ``--full`` adds the records as written.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.cli.database import add_database_option, with_database
from bot.cli.output import complain, say
from bot.services import history
from bot.services.reasons import Reason, read
from bot.services.tickets import TicketService
from desk.errors import NotFound
from desk.model import AuditEvent
from desk.timefmt import msk_offset
from storage.database import Database
from storage.uow import UnitOfWork

MOSCOW = "Europe/Moscow"


def register(audit: argparse.ArgumentParser) -> None:
    commands = audit.add_subparsers(dest="audit_command", metavar="COMMAND", required=True)

    show = commands.add_parser("show", help="события заявки или последние события")
    show.add_argument("number", nargs="?", metavar="NUMBER", help="номер заявки")
    show.add_argument("--limit", type=int, default=50, help="сколько последних событий (50)")
    show.add_argument(
        "--full", action="store_true", help="записи настроек целиком, как в журнале (JSON)"
    )
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
        say("audit_show", rows=rows, number=args.number, full=args.full)
        return 0

    return with_database(args, run)


@dataclass(frozen=True)
class _Setting:
    """A config event summed up: which record of which kind was added, changed (and
    which of its fields) or removed."""

    kind: str  # schedule, contract, team, client, staff, invite
    key: str  # the record's name, code or Telegram id
    action: str  # add | change | remove
    fields: list[str]  # the fields a change touched (top level), sorted
    name: str | None  # a staff member's name


@dataclass(frozen=True)
class _Row:
    """An event as the terminal shows it: the ticket's number, the time in its client's
    zone (Moscow for config events) and values decoded as /history decodes them."""

    event: AuditEvent
    number: str | None
    zone: str
    msk_offset: int
    old: object
    new: object
    why: Reason | None  # a reason the product writes, decoded (else shown as recorded)
    setting: _Setting | None  # for config events


async def _rows(uow: UnitOfWork, events: list[AuditEvent]) -> list[_Row]:
    tickets: dict[int, tuple[str, str]] = {}  # id -> (number, timezone)
    names = history.Names(uow)
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
        old, new = await history.values(names, event)
        rows.append(
            _Row(
                event,
                number,
                zone,
                msk_offset(local),
                old,
                new,
                read(event.reason),
                _setting(event, old, new),
            )
        )
    return rows


def _setting(event: AuditEvent, old: object, new: object) -> _Setting | None:
    if not event.what.startswith("config."):
        return None
    action, _, key = (event.reason or "").partition(" ")
    if isinstance(old, dict) and isinstance(new, dict):
        changed = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
    else:
        changed = []
    record = new if isinstance(new, dict) else old
    name = record.get("name") if isinstance(record, dict) else None
    return _Setting(
        kind=event.what.removeprefix("config."),
        key=key,
        action=action,
        fields=changed,
        name=name if isinstance(name, str) else None,
    )


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
