"""The audit trail: one global hash chain in id order, appended only.

An append locks the single ``audit_head`` row, seals the event on the head's
hash and moves the head, all in the caller's transaction; so appends are
serialised and the chain never forks. The head also remembers how many events
there are and which is last, which shows a removed tail.

With ``WriterHints`` (SQLite, this process's transactions in a queue) the
head is not read first: the event is sealed on the remembered head and given
the next id itself, and the head moves only where it still holds what was
remembered; where it does not, the head is read and the event sealed again.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from desk.audit import ChainProblem, seal, verify_chain
from desk.model import AuditEvent
from storage._hints import WriterHints
from storage._mapping import audit_from_row
from storage.tables import AuditEventRow, AuditHeadRow, Base

HEAD_ID = 1


_EVENTS = Base.metadata.tables["audit_events"]
_HEAD = Base.metadata.tables["audit_head"]
_LOCK_HEAD = (
    select(_HEAD.c.last_id, _HEAD.c.last_hash).where(_HEAD.c.id == HEAD_ID).with_for_update()
)
_INSERT = insert(_EVENTS).returning(_EVENTS.c.id)
_INSERT_WITH_ID = insert(_EVENTS)
_MOVE_HEAD = (
    update(_HEAD)
    .where(_HEAD.c.id == HEAD_ID)
    .values(last_id=bindparam("p_id"), last_hash=bindparam("p_hash"), count=_HEAD.c.count + 1)
)
_MOVE_HEAD_IF = _MOVE_HEAD.where(
    _HEAD.c.last_id.is_not_distinct_from(bindparam("p_seen_id")),
    _HEAD.c.last_hash == bindparam("p_seen_hash"),
)


class AuditRepository:
    def __init__(self, session: AsyncSession, hints: WriterHints | None = None) -> None:
        self._session = session
        self._hints = hints
        self._head: tuple[int | None, str] | None = None  # once locked by this transaction

    async def append(
        self,
        *,
        ticket_id: int | None,
        actor: str,
        at: datetime,
        what: str,
        old: str | None = None,
        new: str | None = None,
        reason: str | None = None,
    ) -> AuditEvent:
        fields = (ticket_id, actor, at, what, old, new, reason)
        if self._hints is not None:
            event = await self._append_on_hint(*fields)
        else:
            event = await self._append_locked(*fields)
        self._head = (event.id, event.hash)
        return event

    async def _lock_head(self) -> tuple[int | None, str]:
        if self._head is None:
            row = (await self._session.execute(_LOCK_HEAD)).first()
            if row is None:
                raise RuntimeError("audit_head row is missing: run `supportdesk db upgrade`")
            self._head = (row.last_id, row.last_hash)
        return self._head

    async def _append_locked(self, *fields: Any) -> AuditEvent:
        """Lock the head, insert the event, move the head (ids from the database)."""
        _, last_hash = await self._lock_head()
        event = seal(last_hash, *fields)
        event_id = await self._session.scalar(_INSERT, _values(event))
        await self._session.execute(_MOVE_HEAD, {"p_id": event_id, "p_hash": event.hash})
        return replace(event, id=event_id)

    async def _append_on_hint(self, *fields: Any) -> AuditEvent:
        """Move the head from the remembered one, then insert the event under
        the next id (SQLite: ids are never handed out by another path)."""
        assert self._hints is not None
        seen = self._head or self._hints.audit_head
        if seen is not None:
            event = _sealed_after(seen, fields)
            moved = await self._session.execute(
                _MOVE_HEAD_IF,
                {
                    "p_id": event.id,
                    "p_hash": event.hash,
                    "p_seen_id": seen[0],
                    "p_seen_hash": seen[1],
                },
            )
            if moved.rowcount != 1:  # type: ignore[attr-defined]
                seen = None
                self._head = None
        if seen is None:
            event = _sealed_after(await self._lock_head(), fields)
            await self._session.execute(_MOVE_HEAD, {"p_id": event.id, "p_hash": event.hash})
        await self._session.execute(_INSERT_WITH_ID, {"id": event.id, **_values(event)})
        self._hints.audit_head = (event.id, event.hash)
        return event

    async def for_ticket(self, ticket_id: int) -> list[AuditEvent]:
        rows = await self._session.scalars(
            select(AuditEventRow)
            .where(AuditEventRow.ticket_id == ticket_id)
            .order_by(AuditEventRow.id)
        )
        return [audit_from_row(r) for r in rows]

    async def latest(self, limit: int = 50) -> list[AuditEvent]:
        """The last ``limit`` events, oldest first."""
        rows = await self._session.scalars(
            select(AuditEventRow).order_by(AuditEventRow.id.desc()).limit(limit)
        )
        return [audit_from_row(r) for r in reversed(list(rows))]

    async def count(self) -> int:
        return await self._session.scalar(select(func.count()).select_from(AuditEventRow)) or 0

    async def verify(self) -> list[ChainProblem]:
        """Every break in the chain; [] when intact. Besides ``desk.audit``'s kinds,
        ``truncated``: the newest events are gone (``event_id``: the last one
        the head remembers), or fewer events remain than were appended."""
        rows = await self._session.scalars(select(AuditEventRow).order_by(AuditEventRow.id))
        events = [audit_from_row(r) for r in rows]
        problems = verify_chain(events)
        head = await self._session.get(AuditHeadRow, HEAD_ID)
        if head is None:
            return [*problems, ChainProblem(None, "truncated", "audit_head row is missing")]
        last = events[-1] if events else None
        if last is not None and last.id == head.last_id:
            if last.hash != head.last_hash and (last.id, "changed") not in {
                (p.event_id, p.kind) for p in problems
            }:
                problems.append(ChainProblem(last.id, "changed", "differs from the head's hash"))
        elif head.last_id is not None:
            detail = f"the last event should be #{head.last_id}"
            problems.append(ChainProblem(head.last_id, "truncated", detail))
        if not problems and head.count != len(events):
            detail = f"{head.count} events appended, {len(events)} present"
            problems.append(ChainProblem(None, "truncated", detail))
        return problems


def _sealed_after(head: tuple[int | None, str], fields: tuple[Any, ...]) -> AuditEvent:
    last_id, last_hash = head
    return replace(seal(last_hash, *fields), id=(last_id or 0) + 1)


def _values(event: AuditEvent) -> dict[str, Any]:
    return {
        "ticket_id": event.ticket_id,
        "actor": event.actor,
        "at": event.at,
        "what": event.what,
        "old": event.old,
        "new": event.new,
        "reason": event.reason,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }
