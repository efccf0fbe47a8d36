"""The audit trail: one global hash chain in id order, appended only.

An append locks the single ``audit_head`` row, seals the event on the head's
hash and moves the head, all in the caller's transaction; so appends are
serialised and the chain never forks. The head also remembers how many events
there are and which is last, which shows a removed tail.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from desk.audit import ChainProblem, seal, verify_chain
from desk.model import AuditEvent
from storage.mapping import audit_from_row
from storage.tables import AuditEventRow, AuditHeadRow, Base

HEAD_ID = 1


_EVENTS = Base.metadata.tables["audit_events"]
_HEAD = Base.metadata.tables["audit_head"]
_LOCK_HEAD = select(_HEAD.c.last_hash).where(_HEAD.c.id == HEAD_ID).with_for_update()
_INSERT = insert(_EVENTS).returning(_EVENTS.c.id)
_MOVE_HEAD = (
    update(_HEAD)
    .where(_HEAD.c.id == HEAD_ID)
    .values(last_id=bindparam("p_id"), last_hash=bindparam("p_hash"), count=_HEAD.c.count + 1)
)


class AuditRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._last_hash: str | None = None  # the head, once locked by this transaction

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
        if self._last_hash is None:
            self._last_hash = await self._session.scalar(_LOCK_HEAD)
            if self._last_hash is None:
                raise RuntimeError("audit_head row is missing: run `supportdesk db upgrade`")
        event = seal(self._last_hash, ticket_id, actor, at, what, old, new, reason)
        values = {
            "ticket_id": ticket_id,
            "actor": actor,
            "at": at,
            "what": what,
            "old": old,
            "new": new,
            "reason": reason,
            "prev_hash": event.prev_hash,
            "hash": event.hash,
        }
        event_id = await self._session.scalar(_INSERT, values)
        await self._session.execute(_MOVE_HEAD, {"p_id": event_id, "p_hash": event.hash})
        self._last_hash = event.hash
        return replace(event, id=event_id)

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
