"""``config apply``: sync a validated ``DeskConfig`` into the database.

Runs in the caller's transaction: every change is written and audited
(actor ``config``, what ``config.<kind>``, old and new as JSON), so a refusal
half-way -- e.g. removing a client that still has tickets -- rolls back all.
Applying the same config again finds no changes and writes nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.services.actors import Actor
from desk.config import KIND_NAMES, Action, Change, DeskConfig, describe, diff, reason
from desk.errors import ConfigError
from storage import ops
from storage.errors import StillReferenced
from storage.repos.directory import DirectoryRepository
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
    has and the database lacks and changes nothing an operator set, so the
    stored contract terms and client managers are then left as they are.
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
    if only is None:
        await ops.save_terms(uow.session, config)  # contract terms and client managers
    return changes


async def _write(directory: DirectoryRepository, change: Change) -> None:
    if change.action is Action.REMOVE:
        await _REMOVE[change.kind](directory, change.old)
    else:
        await _PUT[change.kind](directory, change.new)


_PUT: dict[str, Any] = {
    "schedule": DirectoryRepository.put_schedule,
    "contract": DirectoryRepository.put_contract,
    "team": DirectoryRepository.put_team,
    "client": DirectoryRepository.put_client,
    "staff": DirectoryRepository.put_staff,
    "invite": DirectoryRepository.put_invite,
}

_REMOVE: dict[str, Any] = {
    "schedule": lambda d, old: d.remove_schedule(old.name),
    "contract": lambda d, old: d.remove_contract(old.name),
    "team": lambda d, old: d.remove_team(old.name),
    "client": lambda d, old: d.remove_client(old.code),
    "staff": lambda d, old: d.remove_staff(old.telegram_id),
    "invite": lambda d, old: d.remove_invite(old.code),
}
