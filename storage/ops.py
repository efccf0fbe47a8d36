"""Repositories of SLA operations: reading contract terms and client managers, the
watcher's schedule and alert claims (report files: ``storage.report_files``).

A repository on the unit of work (``uow.ops``); it never commits.  A claim
(``claim_alert``) inserts a row with a unique key and report
whether this transaction got it: the caller writes the outbox rows in the
same transaction, so an alert or a report goes out once, whatever restarts
or other instances do.  On PostgreSQL the watcher takes due rows with
``FOR UPDATE SKIP LOCKED`` (``lock_due``), so instances do not wait on each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from desk.enums import OPEN_STATUSES, Priority, Status
from desk.model import SlaState
from desk.terms import ContractTerms, terms_from_json
from storage._dialect import insert_for, insert_new
from storage.incidents import is_part
from storage.tables import (
    AlertSentRow,
    ClientManagerRow,
    ClientRow,
    ContractTermsRow,
    SlaWatchRow,
    TicketRow,
)

_OPEN = sorted(s.value for s in OPEN_STATUSES)


# -- terms and managers (written by `config apply`: storage.directory) ------


# -- the watcher's schedule ------------------------------------------------------

WATCH_COLUMNS = (
    TicketRow.id,
    TicketRow.updated_at,
    TicketRow.client_code,
    TicketRow.priority,
    TicketRow.initial_priority,
    TicketRow.peak_priority,
    TicketRow.status,
    TicketRow.sla_started_at,
    TicketRow.reaction_due,
    TicketRow.resolution_due,
    TicketRow.reacted_at,
    TicketRow.resolved_at,
    TicketRow.paused_at,
    TicketRow.paused_minutes,
    TicketRow.reaction_breached,
    TicketRow.resolution_breached,
    TicketRow.reaction_target,
    TicketRow.resolution_target,
)


@dataclass(frozen=True)
class WatchFacts:
    """What the watcher needs of a ticket (read without loading the whole row)."""

    ticket_id: int
    updated_at: datetime
    client_code: str
    priority: Priority
    initial_priority: Priority | None
    peak_priority: Priority | None
    status: Status
    sla: SlaState


def _facts(row: Any) -> WatchFacts:
    (tid, updated, client, priority, initial, peak, status, started, reaction_due, resolution_due,
     reacted, resolved, paused, paused_minutes, r_breached, s_breached, r_target,
     s_target) = row  # fmt: skip
    state = SlaState(
        reaction_due=reaction_due,
        resolution_due=resolution_due,
        reacted_at=reacted,
        resolved_at=resolved,
        paused_at=paused,
        reaction_breached=r_breached,
        resolution_breached=s_breached,
        started_at=started,
        paused_minutes=paused_minutes,
        reaction_target=r_target,
        resolution_target=s_target,
    )
    return WatchFacts(
        tid,
        updated,
        client,
        Priority(priority),
        None if initial is None else Priority(initial),
        None if peak is None else Priority(peak),
        Status(status),
        state,
    )


# -- alert claims ------------------------------------------------------------------


class OpsRepository:
    """Ops: what the unit of work offers as ``uow.ops``."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def terms_of(self, contract: str) -> ContractTerms:
        """A contract's terms; the defaults for a contract that states none."""
        row = await self._session.get(ContractTermsRow, contract)
        return ContractTerms() if row is None else terms_from_json(dict(row.terms))

    async def client_terms(self) -> dict[str, ContractTerms]:
        """Terms of every client, by client code (one query)."""
        rows = await self._session.execute(
            select(ClientRow.code, ContractTermsRow.terms).outerjoin(
                ContractTermsRow, ContractTermsRow.contract == ClientRow.contract
            )
        )
        return {
            code: ContractTerms() if data is None else terms_from_json(dict(data))
            for code, data in rows
        }

    async def managers_of(self, client_code: str) -> list[int]:
        ids = await self._session.scalars(
            select(ClientManagerRow.telegram_id)
            .where(ClientManagerRow.client_code == client_code)
            .order_by(ClientManagerRow.telegram_id)
        )
        return list(ids)

    async def managed_by(self, telegram_id: int) -> list[str]:
        """Client codes whose manager ``telegram_id`` is."""
        codes = await self._session.scalars(
            select(ClientManagerRow.client_code)
            .where(ClientManagerRow.telegram_id == telegram_id)
            .order_by(ClientManagerRow.client_code)
        )
        return list(codes)

    async def stale_watches(self, after_id: int = 0, limit: int = 5000) -> list[WatchFacts]:
        """Open tickets (id > ``after_id``) whose next alert moment is unknown or was
        computed before their last change, in id order."""
        query = (
            select(*WATCH_COLUMNS)
            .outerjoin(SlaWatchRow, SlaWatchRow.ticket_id == TicketRow.id)
            .where(
                TicketRow.status.in_(_OPEN),
                TicketRow.id > after_id,
                or_(
                    SlaWatchRow.ticket_id.is_(None),
                    SlaWatchRow.seen_updated_at != TicketRow.updated_at,
                ),
                ~is_part(),  # a report of a mass incident: its incident's SLA counts (once)
            )
            .order_by(TicketRow.id)
            .limit(limit)
        )
        connection = await self._session.connection()  # Core rows: no ORM loading for 100k tickets
        return [_facts(row) for row in await connection.execute(query)]

    async def put_watches(self, rows: list[dict[str, Any]]) -> None:
        """Upsert ``{"ticket_id", "seen_updated_at", "next_at"}`` rows."""
        if not rows:
            return
        stmt = insert_for(self._session, SlaWatchRow)
        stmt = stmt.on_conflict_do_update(
            index_elements=[SlaWatchRow.ticket_id],
            set_={
                "seen_updated_at": stmt.excluded.seen_updated_at,
                "next_at": stmt.excluded.next_at,
            },
        )
        connection = await self._session.connection()  # Core executemany, no ORM bookkeeping
        await connection.execute(stmt, rows)

    async def due_watches(self, now: datetime, limit: int = 500) -> list[int]:
        """Open tickets whose next alert is due by ``now``, and not changed since it
        was computed (a changed one is recomputed first), earliest first."""
        ids = await self._session.scalars(
            select(SlaWatchRow.ticket_id)
            .join(TicketRow, TicketRow.id == SlaWatchRow.ticket_id)
            .where(
                SlaWatchRow.next_at <= now,
                SlaWatchRow.seen_updated_at == TicketRow.updated_at,
                TicketRow.status.in_(_OPEN),
                ~is_part(),  # linked to a mass incident since it was planned
            )
            .order_by(SlaWatchRow.next_at)
            .limit(limit)
        )
        return list(ids)

    async def lock_due(self, ticket_id: int, now: datetime) -> bool:
        """Take a due watch row for this transaction; False if another instance has
        it (PostgreSQL: SKIP LOCKED) or it is no longer due."""
        query = select(SlaWatchRow.ticket_id).where(
            SlaWatchRow.ticket_id == ticket_id, SlaWatchRow.next_at <= now
        )
        if self._session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        return (await self._session.scalar(query)) is not None

    async def set_next(
        self, ticket_id: int, seen_updated_at: datetime, next_at: datetime | None
    ) -> None:
        await self.put_watches(
            [{"ticket_id": ticket_id, "seen_updated_at": seen_updated_at, "next_at": next_at}],
        )

    async def watch_facts(self, ticket_id: int) -> WatchFacts | None:
        row = (
            await self._session.execute(select(*WATCH_COLUMNS).where(TicketRow.id == ticket_id))
        ).first()
        return None if row is None else _facts(row)

    async def sent_keys(self, ticket_id: int) -> frozenset[str]:
        keys = await self._session.scalars(
            select(AlertSentRow.key).where(AlertSentRow.ticket_id == ticket_id)
        )
        return frozenset(keys)

    async def sent_keys_for(self, ticket_ids: list[int]) -> dict[int, frozenset[str]]:
        found: dict[int, set[str]] = {}
        if ticket_ids:
            rows = await self._session.execute(
                select(AlertSentRow.ticket_id, AlertSentRow.key).where(
                    AlertSentRow.ticket_id.in_(ticket_ids)
                )
            )
            for ticket_id, key in rows:
                found.setdefault(ticket_id, set()).add(key)
        return {k: frozenset(v) for k, v in found.items()}

    async def claim_alert(self, ticket_id: int, key: str, now: datetime) -> bool:
        """Record the alert ``key`` for the ticket; False if it was already sent."""
        values = {"ticket_id": ticket_id, "key": key, "sent_at": now}
        return await insert_new(self._session, AlertSentRow, values)
