"""Building a client's report for a period from the database."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.reports.html import render_html
from bot.reports.xlsx import render_xlsx
from desk import sla
from desk.clock import clock_of
from desk.reporting import ApprovalWaits, Period, Report, make_report
from storage.uow import UnitOfWork

FORMATS = ("html", "xlsx")


async def build_report(
    uow: UnitOfWork,
    client_code: str,
    period: Period,
    now: datetime,
    *,
    breach_limit: int = 500,
) -> Report:
    """The report of ``client_code`` for ``period`` as of ``now`` (``NotFound``
    for an unknown client).  A period still running counts up to ``now``.
    ``breach_limit`` caps the breaches listed per kind (all are counted)."""
    client = await uow.directory.client(client_code)
    contract = await uow.directory.contract(client.contract)
    schedule = clock_of(await uow.directory.schedule(contract.schedule))
    terms = await uow.ops.terms_of(contract.name)
    start, end = period.bounds(client.timezone)
    cutoff = min(end, now)
    figures, states = await uow.report_queries.report_figures(
        client.code,
        start,
        end,
        cutoff,
        breach_limit=breach_limit,
        basis=terms.sla_basis,
    )
    defaults = sla.default_targets(schedule.day_minutes)
    lines = []
    for line, state in zip(figures.breaches, states, strict=True):
        if state is not None:  # still open: the business time it has taken so far
            target = contract.targets.get(line.priority) or defaults[line.priority]
            spent = sla.spent(state, cutoff, sla.clock_for(target, schedule))
            line = replace(line, actual_minutes=spent)
        lines.append(line)
    rounds, waited = await uow.catalogue.approval_minutes([client.code], start, cutoff)
    figures = replace(figures, breaches=tuple(lines), approvals=ApprovalWaits(rounds, waited))
    return make_report(
        client.code, client.name, period, client.timezone, now, figures, terms.penalties
    )


def report_filename(report: Report, fmt: str) -> str:
    """``sla-ROGA-2026-11.html``: safe for every file system and Telegram."""
    return f"sla-{report.client_code}-{report.period.label}.{fmt}"


def render_report(report: Report, fmt: str) -> bytes:
    """The report as a file of format ``fmt`` (``html`` or ``xlsx``)."""
    if fmt == "html":
        return render_html(report).encode("utf-8")
    if fmt == "xlsx":
        return render_xlsx(report)
    raise ValueError(f"unknown report format {fmt!r}")


def breach_limit_for(fmt: str) -> int:
    """HTML lists the first breaches (a page stays readable); XLSX lists them all."""
    return 500 if fmt == "html" else 1_000_000
