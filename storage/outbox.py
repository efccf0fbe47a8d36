"""The outbox: outgoing Telegram calls written in the transaction of the change
that caused them (ARCHITECTURE.md, invariant 2), read back in order per chat by the sender.

A row is a kind (a string) and a payload (a JSON object); what kinds there are
and what their payloads hold is the sender's business (``bot.outbox.kinds``).
A repository on the unit of work (``uow.outbox``); it never commits.  ``enqueue``
keeps a transaction's calls with its session and writes them all, in the order
they were made, with one INSERT as the transaction commits (an ORM object per
call cost a unit-of-work flush); a rollback drops them with everything else.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeAlias

from sqlalchemy import bindparam, event, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

from storage.tables import Base, OutboxRow

PENDING = "pending"
SENT = "sent"
FAILED = "failed"

JsonValue: TypeAlias = "str | int | float | bool | list[JsonValue] | dict[str, JsonValue] | None"
JsonObject: TypeAlias = "dict[str, JsonValue]"


@dataclass(frozen=True)
class OutboxItem:
    id: int
    chat_id: int
    kind: str
    payload: JsonObject
    ticket_id: int | None
    attempts: int
    next_attempt_at: datetime


def _item(row: Any) -> OutboxItem:  # an outbox row as _ITEM selects it
    return OutboxItem(
        id=row.id,
        chat_id=row.chat_id,
        kind=row.kind,
        payload=dict(row.payload),
        ticket_id=row.ticket_id,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
    )


_QUEUED = "outbox.queued"  # session.info: this transaction's calls, in order
_SAVEPOINTS = "outbox.savepoints"  # session.info: savepoint -> len(queued) when it began


@event.listens_for(Session, "before_commit")
def _write_queued(session: Session) -> None:
    rows = session.info.pop(_QUEUED, None)
    if rows:
        session.execute(_INSERT_QUEUED, rows)


@event.listens_for(Session, "after_transaction_create")
def _mark_savepoint(session: Session, transaction: SessionTransaction) -> None:
    if transaction.nested:  # what a rolled-back savepoint takes back: the calls made in it
        session.info.setdefault(_SAVEPOINTS, {})[transaction] = len(session.info.get(_QUEUED, ()))


@event.listens_for(Session, "after_soft_rollback")
def _drop_queued(session: Session, previous: SessionTransaction) -> None:
    if not previous.nested:
        session.info.pop(_QUEUED, None)
        session.info.pop(_SAVEPOINTS, None)
        return
    mark = session.info.get(_SAVEPOINTS, {}).pop(previous, None)
    if mark is not None:
        del session.info.get(_QUEUED, [])[mark:]


@dataclass(frozen=True)
class ChatHead:
    """A chat's oldest pending call, without its payload."""

    chat_id: int
    item_id: int
    next_attempt_at: datetime


_FIRST_IDS = (
    select(func.min(OutboxRow.id).label("id"))
    .where(OutboxRow.state == PENDING)
    .group_by(OutboxRow.chat_id)
    .subquery()
)
_CHAT_HEADS = (
    select(OutboxRow.chat_id, OutboxRow.id, OutboxRow.next_attempt_at)
    .join(_FIRST_IDS, OutboxRow.id == _FIRST_IDS.c.id)
    .order_by(OutboxRow.id)
    .limit(bindparam("p_limit"))
)


# (Core, not ORM rows: the sender asks these for every message it sends)
_OUTBOX = Base.metadata.tables["outbox"]
_ITEM = select(
    _OUTBOX.c.id,
    _OUTBOX.c.chat_id,
    _OUTBOX.c.kind,
    _OUTBOX.c.payload,
    _OUTBOX.c.ticket_id,
    _OUTBOX.c.attempts,
    _OUTBOX.c.next_attempt_at,
)
_HEAD_OF = (
    _ITEM.where(_OUTBOX.c.state == PENDING, _OUTBOX.c.chat_id == bindparam("p_chat"))
    .order_by(_OUTBOX.c.id)
    .limit(1)
)
_HEADS_OF = _ITEM.where(
    _OUTBOX.c.id.in_(
        select(func.min(_OUTBOX.c.id))
        .where(
            _OUTBOX.c.state == PENDING,
            _OUTBOX.c.chat_id.in_(bindparam("p_chats", expanding=True)),
        )
        .group_by(_OUTBOX.c.chat_id)
    )
)
_INSERT_QUEUED = insert(_OUTBOX)
_MARK_SENT = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id == bindparam("p_id"))
    .values(
        state=SENT,
        sent_at=bindparam("p_at"),
        message_id=bindparam("p_message"),
        attempts=_OUTBOX.c.attempts + 1,
    )
)


class OutboxRepository:
    """Outbox: what the unit of work offers as ``uow.outbox``."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def enqueue(
        self,
        chat_id: int,
        kind: str,
        payload: JsonObject,
        *,
        ticket_id: int | None = None,
        now: datetime | None = None,
    ) -> None:
        """Add one outgoing call; it is sent only if the surrounding transaction commits."""
        at = now or datetime.now(UTC)
        self._session.info.setdefault(_QUEUED, []).append(
            {
                "chat_id": chat_id,
                "kind": kind,
                "payload": payload,
                "ticket_id": ticket_id,
                "state": PENDING,
                "attempts": 0,
                "created_at": at,
                "next_attempt_at": at,
            }
        )

    async def chat_heads(self, limit: int = 1000) -> list[ChatHead]:
        """The oldest pending call of each chat (whether due yet or not), oldest chats
        first; without payloads (the sender asks this often, and mostly of chats it
        is already serving)."""
        rows = await self._session.execute(_CHAT_HEADS, {"p_limit": limit})
        return [ChatHead(chat_id, item_id, at) for chat_id, item_id, at in rows]

    async def last_id(self) -> int:
        """The newest row's id (0 for an empty outbox)."""
        value: int | None = await self._session.scalar(select(func.max(OutboxRow.id)))
        return value or 0

    async def head_of(self, chat_id: int) -> OutboxItem | None:
        """The oldest pending call for ``chat_id``, if any."""
        row = (await self._session.execute(_HEAD_OF, {"p_chat": chat_id})).first()
        return None if row is None else _item(row)

    async def heads_of(self, chat_ids: Collection[int]) -> dict[int, OutboxItem]:
        """The oldest pending call of each of ``chat_ids`` that has one (one query for all)."""
        if not chat_ids:
            return {}
        rows = await self._session.execute(_HEADS_OF, {"p_chats": list(chat_ids)})
        return {row.chat_id: _item(row) for row in rows}

    async def mark_sent(self, item_id: int, message_id: int | None, now: datetime) -> None:
        await self._session.execute(
            _MARK_SENT, {"p_id": item_id, "p_at": now, "p_message": message_id}
        )

    async def mark_retry(self, item_id: int, next_attempt_at: datetime, error: str) -> None:
        await self._session.execute(
            update(OutboxRow)
            .where(OutboxRow.id == item_id)
            .values(next_attempt_at=next_attempt_at, error=error, attempts=OutboxRow.attempts + 1)
        )

    async def mark_failed(self, item_id: int, error: str, now: datetime) -> None:
        await self._session.execute(
            update(OutboxRow)
            .where(OutboxRow.id == item_id)
            .values(state=FAILED, error=error, sent_at=now, attempts=OutboxRow.attempts + 1)
        )

    async def count_by_state(self) -> dict[str, int]:
        rows = await self._session.execute(
            select(OutboxRow.state, func.count()).group_by(OutboxRow.state)
        )
        return dict(rows.all())
