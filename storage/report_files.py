"""Report files (rendered HTML/XLSX kept for sending and downloading) and the
record of scheduled reports sent, one per client and period.

A repository on the unit of work (``uow.report_files``); it never commits.
``claim_report`` inserts a row with a unique key and says whether this
transaction got it: the caller queues the documents in the same transaction,
so a period's report goes out once, whatever restarts or other instances do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage._dialect import insert_new
from storage.tables import ReportFileRow, ReportSentRow


@dataclass(frozen=True)
class ReportFile:
    id: int
    client_code: str
    period: str
    format: str
    filename: str
    created_at: datetime


def _file(row: Any) -> ReportFile:
    return ReportFile(row.id, row.client_code, row.period, row.format, row.filename, row.created_at)


class ReportFilesRepository:
    """Report files: what the unit of work offers as ``uow.report_files``."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def save_report_file(
        self,
        client_code: str,
        period: str,
        fmt: str,
        filename: str,
        content: bytes,
        now: datetime,
    ) -> int:
        row = ReportFileRow(
            client_code=client_code,
            period=period,
            format=fmt,
            filename=filename,
            content=content,
            created_at=now,
        )
        self._session.add(row)
        await self._session.flush()
        return row.id

    async def report_files(self, client_code: str, limit: int = 24) -> list[ReportFile]:
        """A client's saved reports, newest first (without their content)."""
        rows = await self._session.execute(
            select(
                ReportFileRow.id,
                ReportFileRow.client_code,
                ReportFileRow.period,
                ReportFileRow.format,
                ReportFileRow.filename,
                ReportFileRow.created_at,
            )
            .where(ReportFileRow.client_code == client_code)
            .order_by(ReportFileRow.id.desc())
            .limit(limit)
        )
        return [_file(r) for r in rows]

    async def report_content(
        self, file_id: int, client_code: str | None = None
    ) -> tuple[ReportFile, bytes] | None:
        """A saved report and its bytes; with ``client_code``, only if it is that client's."""
        row = await self._session.get(ReportFileRow, file_id)
        if row is None or (client_code is not None and row.client_code != client_code):
            return None
        return _file(row), bytes(row.content)

    async def claim_report(self, client_code: str, period: str, now: datetime) -> bool:
        """Record that the report for ``client_code`` and ``period`` is being sent;
        False if it already was."""
        values = {"client_code": client_code, "period": period, "sent_at": now}
        return await insert_new(self._session, ReportSentRow, values)

    async def note_report_file(self, client_code: str, period: str, file_id: int) -> None:
        await self._session.execute(
            update(ReportSentRow)
            .where(and_(ReportSentRow.client_code == client_code, ReportSentRow.period == period))
            .values(file_id=file_id)
        )
