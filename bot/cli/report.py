"""``supportdesk report``: a client's SLA report for a month or a week, as HTML or XLSX.

supportdesk report --client ROGA --period 2026-11 --format html --out roga-nov.html
"""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path

from bot.cli.database import add_database_option, with_database
from bot.cli.output import complain, say
from bot.reports import fmt
from bot.reports.build import FORMATS, breach_limit_for, build_report, render_report
from desk.errors import NotFound
from desk.reporting import BadPeriod, parse_period
from storage.database import Database


def register(report: argparse.ArgumentParser) -> None:
    report.add_argument(
        "--client", metavar="CODE", required=True, help="код клиента, например ROGA"
    )
    report.add_argument(
        "--period", required=True, help="месяц ГГГГ-ММ (2026-11) или неделя ГГГГ-Wнн (2026-W47)"
    )
    report.add_argument(
        "--format", choices=FORMATS, default="html", help="html (по умолчанию) или xlsx"
    )
    report.add_argument("--out", type=Path, required=True, metavar="FILE", help="куда записать")
    add_database_option(report)
    report.set_defaults(handler=_report)


def _report(args: argparse.Namespace) -> int:
    try:
        period = parse_period(args.period)
    except BadPeriod:
        complain("report_bad_period", value=args.period)
        return 2
    code = args.client.strip().upper()

    async def run(database: Database) -> int:
        async with database.uow() as uow:
            try:
                report = await build_report(
                    uow, code, period, datetime.now(UTC), breach_limit=breach_limit_for(args.format)
                )
            except NotFound:
                complain("report_unknown_client", code=code)
                return 1
        content = render_report(report, args.format)
        try:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_bytes(content)
        except OSError as exc:
            complain("report_cannot_write", path=args.out, error=exc.strerror or exc)
            return 1
        say(
            "report_written",
            client=report.client_code,
            period=period.label,
            path=args.out,
            size=len(content),
            tickets=report.tickets,
            reaction=fmt.pct(report.totals["reaction"].share),
            resolution=fmt.pct(report.totals["resolution"].share),
            breaches=report.figures.breach_count,
        )
        return 0

    return with_database(args, run)
