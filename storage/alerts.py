"""Monitoring alerts: whose an API key is, and what is remembered of each alert key.

A repository on the unit of work (``uow.alerts``); it never commits.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from desk.alerts import AlertState, AlertStatus
from storage._dialect import insert_new
from storage.tables import ApiKeyRow, MonitoringAlertRow, UserRow


class AlertsRepository:
    """Alerts: what the unit of work offers as ``uow.alerts``."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def key_owner(self, sha256: str) -> tuple[str, str, str] | None:
        """``(client_code, key name, stored sha256)`` of the API key whose SHA-256 is
        ``sha256``; None for a key nobody has (or one revoked by ``config apply``)."""
        row = (
            await self._session.execute(
                select(ApiKeyRow.client_code, ApiKeyRow.name, ApiKeyRow.sha256).where(
                    ApiKeyRow.sha256 == sha256
                )
            )
        ).first()
        return None if row is None else (row.client_code, row.name, row.sha256)

    async def get(self, client_code: str, key: str) -> AlertState | None:
        """The alert key of the client, locked until the transaction ends; None if new
        (or only claimed by a transaction that has not made its ticket yet)."""
        row = await self._session.scalar(
            select(MonitoringAlertRow)
            .where(MonitoringAlertRow.client_code == client_code, MonitoringAlertRow.key == key)
            .with_for_update()
        )
        if row is None or row.ticket_id is None:
            return None
        return AlertState(
            client_code=row.client_code,
            key=row.key,
            ticket_id=row.ticket_id,
            status=AlertStatus(row.status),
            last_repeat_at=row.last_repeat_at,
            resolved_at=row.resolved_at,
        )

    async def claim(self, client_code: str, key: str, source: str | None, now: datetime) -> bool:
        """Claim a new alert key (its ticket is set next, in the same transaction); False
        when it is taken -- a request racing this one made it first."""
        values = {
            "client_code": client_code,
            "key": key,
            "ticket_id": None,
            "status": AlertStatus.FIRING.value,
            "source": source,
            "first_at": now,
            "last_seen_at": now,
            "last_repeat_at": now,
            "resolved_at": None,
            "repeats": 0,
        }
        return await insert_new(self._session, MonitoringAlertRow, values)

    async def record(
        self,
        client_code: str,
        key: str,
        *,
        now: datetime,
        status: AlertStatus,
        ticket_id: int | None = None,
        repeated: bool = False,
    ) -> None:
        """What an alert did: its status now, a new ticket, a repeat line posted."""
        values: dict[str, object] = {"status": status.value, "last_seen_at": now}
        if ticket_id is not None:
            values |= {"ticket_id": ticket_id, "last_repeat_at": now, "resolved_at": None}
        if status is AlertStatus.RESOLVED:
            values["resolved_at"] = now
        if repeated:
            values |= {"last_repeat_at": now, "repeats": MonitoringAlertRow.repeats + 1}
        await self._session.execute(
            update(MonitoringAlertRow)
            .where(MonitoringAlertRow.client_code == client_code, MonitoringAlertRow.key == key)
            .values(values)
        )

    async def ensure_system_user(
        self, telegram_id: int, client_code: str, name: str, now: datetime
    ) -> None:
        """The client's monitoring as a user row (the requester of its incidents)."""
        values = {
            "telegram_id": telegram_id,
            "client_code": client_code,
            "first_name": name,
            "username": None,
            "joined_at": now,
        }
        await insert_new(self._session, UserRow, values)
