"""A ticket's audit trail as staff read it in the topic (``/history``).

The trail keeps what happened in machine form (``status``, ``"in_progress"``,
``staff:2001``, reasons in English).  Here each event is decoded: actors get
their names, owners too, JSON values become numbers and flags, times move to
the client's timezone, and the reasons the product itself writes become keys
that the template words in Russian.  A reason of unknown origin is shown only
if it is Russian (e.g. a routing destination from the contract); nothing
else reaches staff untranslated.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from desk.model import AuditEvent, Ticket
from desk.timefmt import msk_offset
from storage.uow import UnitOfWork

# Reasons the product writes (bot.services.csat, bot.watcher) -> template keys; the
# strings are theirs, kept in step by tests/bot/test_history_texts.py.
_KNOWN_REASONS = {
    "confirmed by the user": "confirmed",
    "not solved, says the user": "not_solved",
    "no answer from the user": "silent",
    "no answer from the customer": "no_answer_waiting",
}
_SLA_SPENT = re.compile(r"target (\d+) min, spent (\d+) min")
_CYRILLIC = re.compile(r"[А-Яа-яЁё]")


@dataclass(frozen=True)
class Reason:
    """Why: a ``key`` of a reason the product writes (with ``args``), or ``text`` as written."""

    key: str | None = None
    args: dict[str, int] = field(default_factory=dict)
    text: str | None = None


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
    names = _Names(uow)
    result = []
    for event in await uow.audit.for_ticket(ticket.id):
        local = event.at.astimezone(zone)
        actor, actor_name = await names.actor(event.actor)
        old, new = await _values(names, event)
        result.append(
            Line(
                at=local,
                msk_offset=msk_offset(local),
                actor=actor,
                actor_name=actor_name,
                what=event.what,
                old=old,
                new=new,
                reason=reason_of(event.reason),
            )
        )
    return result


def reason_of(reason: str | None) -> Reason | None:
    """A recorded reason decoded; None for none, or for an English note of unknown origin."""
    if not reason:
        return None
    if reason in _KNOWN_REASONS:
        return Reason(key=_KNOWN_REASONS[reason])
    spent = _SLA_SPENT.fullmatch(reason)
    if spent is not None:
        target, used = spent.groups()
        return Reason(key="sla_spent", args={"target": int(target), "spent": int(used)})
    if _CYRILLIC.search(reason):
        return Reason(text=reason)
    return None  # an English note of unknown origin: staff are not shown raw internals


async def _values(names: _Names, event: AuditEvent) -> tuple[object, object]:
    old, new = decoded(event.old), decoded(event.new)
    if event.what == "owner":
        return await names.staff(old), await names.staff(new)
    if event.what == "created" and isinstance(new, dict):
        return None, {
            "priority": new.get("priority"),
            "category": new.get("category"),
            "owner": await names.staff(new.get("owner")),
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


class _Names:
    """Who is behind an actor or an owner id (looked up once per history)."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow
        self._staff: dict[int, str] = {}

    async def staff(self, telegram_id: object) -> str | None:
        if not isinstance(telegram_id, int):
            return None
        if telegram_id not in self._staff:
            member = await self._uow.directory.staff(telegram_id)
            self._staff[telegram_id] = member.name if member else str(telegram_id)
        return self._staff[telegram_id]

    async def actor(self, actor: str) -> tuple[str, str | None]:
        kind, _, ident = actor.partition(":")
        if kind == "staff" and ident.isdigit():
            return kind, await self.staff(int(ident))
        if kind == "user" and ident.isdigit():
            user = await self._uow.users.get(int(ident))
            return kind, user.first_name if user else None
        if kind in ("system", "config"):
            return kind, None
        return "other", None
