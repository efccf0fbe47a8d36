"""A ticket's audit trail as staff read it in the topic (``/history``).

The trail keeps what happened in machine form (``status``, ``"in_progress"``,
``staff:2001``, reasons in English).  Here each event is decoded: actors get
their names, owners too, JSON values become numbers and flags, times move to
the client's timezone, and reasons are read by ``bot.services.reasons`` (the
product's own become keys that the template words in Russian; nothing else
reaches staff untranslated).  ``supportdesk audit show`` decodes events with
the same ``Names`` and ``values``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.services.reasons import Reason, read
from desk.model import AuditEvent, Ticket
from desk.timefmt import msk_offset
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class Line:
    """One event, ready for ``staff_history.j2``."""

    at: datetime  # in the client's timezone
    msk_offset: int  # hours from Moscow time («МСК», «МСК+2»)
    actor: str  # staff | user | system | config | other
    actor_name: str | None
    what: str  # the event kind as recorded: created, status, priority, owner...
    old: object
    new: object
    reason: Reason | None


async def lines(uow: UnitOfWork, ticket: Ticket) -> list[Line]:
    """The ticket's events, oldest first, decoded for people."""
    assert ticket.id is not None
    client = await uow.directory.client(ticket.client_code)
    zone = ZoneInfo(client.timezone)
    names = Names(uow)
    result = []
    for event in await uow.audit.for_ticket(ticket.id):
        local = event.at.astimezone(zone)
        actor, actor_name = await names.actor(event.actor)
        old, new = await values(names, event)
        result.append(
            Line(
                at=local,
                msk_offset=msk_offset(local),
                actor=actor,
                actor_name=actor_name,
                what=event.what,
                old=old,
                new=new,
                reason=read(event.reason),
            )
        )
    return result


async def values(names: Names, event: AuditEvent) -> tuple[object, object]:
    """An event's old and new values decoded; owners (also the one a ticket was created
    with) become ``Person``s."""
    old, new = decoded(event.old), decoded(event.new)
    if event.what == "owner":
        return await names.person(old), await names.person(new)
    if event.what == "created" and isinstance(new, dict):
        return None, {
            "priority": new.get("priority"),
            "category": new.get("category"),
            "owner": await names.person(new.get("owner")),
        }
    if event.what == "reaction":
        return None, None  # the event's own time is the moment of the first answer
    return old, new


def decoded(value: str | None) -> object:
    """Values are stored as text: JSON for numbers, flags and records, plain for strings."""
    if value is None:
        return None
    try:
        result: object = json.loads(value)
    except ValueError:
        return value
    return result


@dataclass(frozen=True)
class Person:
    """A staff member an event names by id (an owner): ``name`` from the directory, None
    for someone no longer in it."""

    telegram_id: int
    name: str | None

    def __str__(self) -> str:
        """As /history shows them: the name, or the bare id if the directory forgot them."""
        return self.name or str(self.telegram_id)


class Names:
    """Who is behind an actor or an owner id (each looked up once per ``Names``)."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow
        self._staff: dict[int, Person] = {}

    async def person(self, telegram_id: object) -> Person | None:
        if not isinstance(telegram_id, int):
            return None
        if telegram_id not in self._staff:
            member = await self._uow.directory.staff(telegram_id)
            self._staff[telegram_id] = Person(telegram_id, member.name if member else None)
        return self._staff[telegram_id]

    async def actor(self, actor: str) -> tuple[str, str | None]:
        kind, _, ident = actor.partition(":")
        if kind == "staff" and ident.isdigit():
            return kind, str(await self.person(int(ident)))
        if kind == "user" and ident.isdigit():
            user = await self._uow.users.get(int(ident))
            return kind, user.first_name if user else None
        if kind in ("system", "config"):
            return kind, None
        return "other", None
