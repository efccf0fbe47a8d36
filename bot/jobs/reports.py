"""Scheduled reports: weekly and/or monthly per contract, to the client managers'
private chats and the team's lead chat, each period once.

Once a period is complete (and it is past ``SEND_FROM_HOUR`` in the client's
timezone) the report is claimed in ``reports_sent`` in the same transaction
that saves its file and queues the documents, so a restart or a second
instance never sends it twice.
"""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.reports.send import save_report, send_report
from desk.reporting import previous_period
from storage.uow import UnitOfWorkFactory

log = logging.getLogger(__name__)

SEND_FROM_HOUR = 9  # local time: reports arrive in the morning, not at midnight


async def send_due_reports(uow: UnitOfWorkFactory, now: datetime) -> int:
    """Send every scheduled report that is due and not yet sent; how many were sent."""
    async with uow() as tx:
        config = await tx.directory.load()
        terms = await tx.ops.client_terms()
    sent = 0
    for code, client in sorted(config.clients.items()):
        schedule = terms[code].reports
        local = now.astimezone(ZoneInfo(client.timezone))
        if local.hour < SEND_FROM_HOUR:
            continue
        kinds = [k for k, on in (("week", schedule.weekly), ("month", schedule.monthly)) if on]
        for kind in kinds:
            period = previous_period(kind, local.date())
            try:
                async with uow() as tx:
                    if not await tx.report_files.claim_report(code, period.label, now):
                        continue
                    chats: list[int] = []
                    if schedule.to_managers:
                        chats += await tx.ops.managers_of(code)
                    team = config.teams[client.team]
                    if schedule.to_lead and team.lead_chat_id is not None:
                        chats.append(team.lead_chat_id)
                    report, file_id = await save_report(tx, code, period, schedule.format, now)
                    await tx.report_files.note_report_file(code, period.label, file_id)
                    send_report(tx, report, file_id, chats)
                sent += 1
                if chats:
                    log.info("report %s %s queued for %d chats", code, period.label, len(chats))
                else:
                    log.info(
                        "report %s %s saved; no manager or lead chat to send it to",
                        code,
                        period.label,
                    )
            except Exception:  # the claim rolled back with it: tried again next pass
                log.exception("report %s %s failed", code, period.label)
    return sent
