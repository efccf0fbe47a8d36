"""Making a report file and sending it as a document through the outbox."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bot import texts
from bot.outbox import enqueue
from bot.reports import fmt as numbers
from bot.reports.build import breach_limit_for, build_report, render_report, report_filename
from desk.reporting import Period, Report
from storage.uow import UnitOfWork


async def save_report(
    uow: UnitOfWork, client_code: str, period: Period, fmt: str, now: datetime
) -> tuple[Report, int]:
    """Build the report, keep its file (for the page and for sending); its file id."""
    report = await build_report(uow, client_code, period, now, breach_limit=breach_limit_for(fmt))
    file_id = await uow.report_files.save_report_file(
        report.client_code,
        period.label,
        fmt,
        report_filename(report, fmt),
        render_report(report, fmt),
        now,
    )
    return report, file_id


def send_report(uow: UnitOfWork, report: Report, file_id: int, chats: Iterable[int]) -> int:
    """Queue the saved report to each chat as a document with a short summary."""
    caption = texts.render(
        "report_caption",
        report=report,
        reaction=numbers.pct(report.totals["reaction"].share),
        resolution=numbers.pct(report.totals["resolution"].share),
        penalty=None if report.penalty is None else numbers.money(report.penalty.amount),
    )
    sent = 0
    for chat_id in dict.fromkeys(chats):  # each chat once, in order
        enqueue.document(uow, chat_id, file_id, caption)
        sent += 1
    return sent
