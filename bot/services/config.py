"""``config apply``: sync a validated ``DeskConfig`` into the database.

Runs in the caller's transaction: every change is written and audited
(actor ``config``, what ``config.<kind>``, old and new as JSON), so a refusal
half-way -- e.g. removing a client that still has tickets -- rolls back all.
Every field the file states is in the diff, a contract's operating terms and a
client's managers and monitoring API keys too (kinds ``terms``, ``managers`` and
``alert_keys``). Applying the same
config again finds no changes and writes nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.services.actors import Actor
from desk.config import KIND_NAMES, Action, Change, DeskConfig, describe, diff, reason
from desk.errors import ConfigError
from storage.directory import DirectoryRepository
from storage.errors import StillReferenced
from storage.uow import UnitOfWork


async def apply_config(
    uow: UnitOfWork,
    config: DeskConfig,
    *,
    source: str,
    now: datetime,
    only: frozenset[Action] | None = None,
) -> list[Change]:
    """Make the database say what ``config`` says; return what changed.

    ``only`` limits the sync to those actions: the demo adds what its config
    has and the database lacks and changes nothing an operator set.
    """
    changes = diff(await uow.directory.load(), config)
    if only is not None:
        changes = [c for c in changes if c.action in only]
    for change in changes:
        try:
            await _write(uow.directory, change)
        except StillReferenced as exc:
            why = reason("still_referenced", kind=KIND_NAMES[change.kind], key=change.key)
            raise ConfigError(source, None, why) from exc
        await uow.audit.append(
            ticket_id=None,
            actor=str(Actor.config()),
            at=now,
            what=f"config.{change.kind}",
            old=describe(change.old),
            new=describe(change.new),
            reason=f"{change.action.value} {change.key}",
        )
    return changes


async def _write(directory: DirectoryRepository, change: Change) -> None:
    if change.action is Action.REMOVE:
        await _REMOVE[change.kind](directory, change)
    else:
        await _PUT[change.kind](directory, change)


_Step = Callable[[DirectoryRepository, Change], Awaitable[None]]

_PUT: dict[str, _Step] = {
    "schedule": lambda d, c: d.put_schedule(c.new),
    "contract": lambda d, c: d.put_contract(c.new),
    "terms": lambda d, c: d.put_terms(c.key, c.new),
    "catalogue": lambda d, c: d.put_catalogue(c.key, c.new),
    "team": lambda d, c: d.put_team(c.new),
    "client": lambda d, c: d.put_client(c.new),
    "managers": lambda d, c: d.put_managers(c.key, c.new),
    "people": lambda d, c: d.put_people(c.key, c.new),
    "alert_keys": lambda d, c: d.put_alert_keys(c.key, c.new),
    "staff": lambda d, c: d.put_staff(c.new),
    "invite": lambda d, c: d.put_invite(c.new),
}

_REMOVE: dict[str, _Step] = {
    "schedule": lambda d, c: d.remove_schedule(c.old.name),
    "contract": lambda d, c: d.remove_contract(c.old.name),
    "terms": lambda d, c: d.remove_terms(c.key),
    "catalogue": lambda d, c: d.remove_catalogue(c.key),
    "team": lambda d, c: d.remove_team(c.old.name),
    "client": lambda d, c: d.remove_client(c.old.code),
    "managers": lambda d, c: d.remove_managers(c.key),
    "people": lambda d, c: d.remove_people(c.key),
    "alert_keys": lambda d, c: d.put_alert_keys(c.key, ()),
    "staff": lambda d, c: d.remove_staff(c.old.telegram_id),
    "invite": lambda d, c: d.remove_invite(c.old.code),
}
