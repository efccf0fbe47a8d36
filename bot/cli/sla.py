"""``supportdesk sla``: business time of a schedule from a config file.

    supportdesk sla due   --config FILE --schedule NAME --from ISO8601 --minutes N
    supportdesk sla hours --config FILE --schedule NAME --month YYYY-MM

``due`` prints the moment in ISO 8601 with the schedule's UTC offset; a
``--from`` without an offset is read in the schedule's timezone. ``hours``
prints the business hours of the month as a number.
"""

from __future__ import annotations

import argparse
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.cli.output import complain, render
from desk.clock import clock_of
from desk.config import load_config
from desk.errors import ConfigError
from desk.model import ScheduleSpec


def register(sla: argparse.ArgumentParser) -> None:
    commands = sla.add_subparsers(dest="sla_command", metavar="COMMAND", required=True)

    due = commands.add_parser("due", help="срок: момент через N рабочих минут")
    _common(due)
    due.add_argument(
        "--from",
        dest="start",
        required=True,
        type=_moment,
        metavar="ISO8601",
        help="от какого момента (без смещения — в часовом поясе расписания)",
    )
    due.add_argument(
        "--minutes", required=True, type=_minutes, metavar="N", help="сколько рабочих минут"
    )
    due.set_defaults(handler=_due)

    hours = commands.add_parser("hours", help="рабочие часы за месяц")
    _common(hours)
    hours.add_argument("--month", required=True, type=_month, metavar="YYYY-MM", help="месяц")
    hours.set_defaults(handler=_hours)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config", required=True, type=Path, metavar="FILE", help="файл конфигурации (TOML)"
    )
    parser.add_argument("--schedule", required=True, metavar="NAME", help="имя расписания")


def _moment(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(render("sla_bad_moment", value=value)) from None


def _minutes(value: str) -> int:
    if not value.isdigit():
        raise argparse.ArgumentTypeError(render("sla_bad_minutes", value=value))
    return int(value)


def _month(value: str) -> date:
    try:
        return datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        raise argparse.ArgumentTypeError(render("sla_bad_month", value=value)) from None


def _schedule(args: argparse.Namespace) -> ScheduleSpec | None:
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        complain("config_error", error=exc, applying=False)
        return None
    spec = config.schedules.get(args.schedule)
    if spec is None:
        known = sorted(config.schedules)
        complain("sla_unknown_schedule", name=args.schedule, file=str(args.config), known=known)
    return spec


def _due(args: argparse.Namespace) -> int:
    spec = _schedule(args)
    if spec is None:
        return 2
    start: datetime = args.start
    if start.tzinfo is None:
        start = start.replace(tzinfo=ZoneInfo(spec.timezone))
    print(clock_of(spec).due(start, args.minutes).isoformat())
    return 0


def _hours(args: argparse.Namespace) -> int:
    spec = _schedule(args)
    if spec is None:
        return 2
    month: date = args.month
    minutes = clock_of(spec).business_minutes_in_month(month.year, month.month)
    print(f"{minutes / 60:g}")
    return 0
