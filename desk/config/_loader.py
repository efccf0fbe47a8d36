"""The declarative config file (TOML) -> ``DeskConfig`` of ``desk.model`` objects.

Sections (all optional; see ``config.example.toml``): ``[schedules.NAME]``,
``[contracts.NAME]``, ``[teams.NAME]``, ``[[clients]]``, ``[[staff]]``,
``[[invites]]``. Anything wrong -- bad TOML, an unknown key, a bad time, a
reference to nothing, a duplicate -- raises ``ConfigError(file, line, reason)``.
"""

from __future__ import annotations

import itertools
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from desk.alerts import AlertKey
from desk.calendar import DayKind
from desk.catalogue import Catalogue, ClientPeople
from desk.channels import Channel
from desk.clock import clock_of
from desk.config._catalogue import CATALOGUE_KEYS, CLIENT_KEYS, client_people, contract_catalogue
from desk.config._fields import Duration, format_range, parse_duration, parse_range, parse_time
from desk.config._lines import KeyPath
from desk.config._messages import DUPLICATE_KINDS, reason, unknown_ref
from desk.config._reader import Reader, Table
from desk.config._terms import TERM_KEYS, client_alert_keys, client_managers, contract_terms
from desk.enums import Priority
from desk.errors import ConfigError
from desk.model import (
    Client,
    CloseDays,
    Contract,
    Invite,
    Line,
    ScheduleSpec,
    SlaTarget,
    Staff,
    Team,
)
from desk.numbering import BadClientCode, validate_client_code
from desk.sla import default_targets
from desk.terms import ContractTerms

SECTIONS = {"schedules", "contracts", "teams", "clients", "staff", "invites"}
V = TypeVar("V")
_TOML_LINE = re.compile(r"\(at line (\d+), column \d+\)")


@dataclass(frozen=True)
class DeskConfig:
    schedules: dict[str, ScheduleSpec] = field(default_factory=dict)
    contracts: dict[str, Contract] = field(default_factory=dict)
    teams: dict[str, Team] = field(default_factory=dict)
    clients: dict[str, Client] = field(default_factory=dict)
    staff: dict[int, Staff] = field(default_factory=dict)
    invites: dict[str, Invite] = field(default_factory=dict)
    # Operating terms per contract and managers per client (desk.config._terms), synced
    # and audited like the sections above (kinds "terms" and "managers" of the diff).
    terms: dict[str, ContractTerms] = field(default_factory=dict)
    managers: dict[str, tuple[int, ...]] = field(default_factory=dict)
    # API keys of a client's monitoring (kind "alert_keys"): names and SHA-256s.
    alert_keys: dict[str, tuple[AlertKey, ...]] = field(default_factory=dict)
    # The service catalogue per contract (kind "catalogue") and a client's named people
    # and approvers (kind "people"): desk.config._catalogue.
    catalogues: dict[str, Catalogue] = field(default_factory=dict)
    people: dict[str, ClientPeople] = field(default_factory=dict)


def load_config(path: str | Path) -> DeskConfig:
    """Read and validate the config file at ``path``."""
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(file, None, reason("unreadable", detail=exc)) from exc
    return parse_config(text, file)


def parse_config(text: str, file: str = "<config>") -> DeskConfig:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = _TOML_LINE.search(str(exc))
        line = int(match.group(1)) if match else None
        detail = _TOML_LINE.sub("", str(exc)).strip()
        raise ConfigError(file, line, reason("toml", detail=detail)) from exc
    r = Reader(file, text)
    r.check_keys(data, (), SECTIONS)
    schedules = {name: _schedule(r, name, t, p) for name, t, p in r.named_tables(data, "schedules")}
    contracts = {
        name: _contract(r, name, t, p, schedules)
        for name, t, p in r.named_tables(data, "contracts")
    }
    teams = {name: _team(r, name, t, p) for name, t, p in r.named_tables(data, "teams")}
    _unique(r, "team_chat", [(t.chat_id, ("teams", t.name, "chat_id")) for t in teams.values()])
    clients: dict[str, Client] = _collect(
        r, data, "clients", "code", lambda t, p: _client(r, t, p, contracts, teams, schedules)
    )
    staff: dict[int, Staff] = _collect(
        r, data, "staff", "telegram_id", lambda t, p: _staff(r, t, p, teams, schedules)
    )
    invites: dict[str, Invite] = _collect(
        r, data, "invites", "code", lambda t, p: _invite(r, t, p, clients)
    )
    for name, team in teams.items():
        duty = staff.get(team.duty) if team.duty is not None else None
        if team.duty is not None and (duty is None or duty.team != name):
            r.fail(("teams", name, "duty"), reason("bad_duty", value=team.duty))
    terms = {
        name: contract_terms(r, t, p, _day_minutes(schedules[contracts[name].schedule]))
        for name, t, p in r.named_tables(data, "contracts")
    }
    managers = {t["code"]: client_managers(r, t, p) for t, p in r.array_tables(data, "clients")}
    alert_keys = _alert_keys(r, data)
    catalogues = {
        name: contract_catalogue(r, t, p, _day_minutes(schedules[contracts[name].schedule]))
        for name, t, p in r.named_tables(data, "contracts")
    }
    people = {
        t["code"]: client_people(r, t, p, catalogues[t["contract"]], managers[t["code"]])
        for t, p in r.array_tables(data, "clients")
    }
    return DeskConfig(
        schedules,
        contracts,
        teams,
        clients,
        staff,
        invites,
        terms,
        managers,
        alert_keys,
        catalogues=catalogues,
        people=people,
    )


def _alert_keys(r: Reader, data: Table) -> dict[str, tuple[AlertKey, ...]]:
    """Each client's API keys; one key (its hash) serves one client only."""
    found: dict[str, tuple[AlertKey, ...]] = {}
    owner: dict[str, tuple[str, str]] = {}  # sha256 -> (client, name)
    for t, p in r.array_tables(data, "clients"):
        keys = client_alert_keys(r, t, p)
        for key in keys:
            if key.sha256 in owner:
                other, _ = owner[key.sha256]
                why = reason("alert_key_reused", name=key.name, client=t["code"], other=other)
                r.fail((*p, "alert_keys"), why)
            owner[key.sha256] = (t["code"], key.name)
        found[t["code"]] = keys
    return found


def _day_minutes(spec: ScheduleSpec) -> int:
    return clock_of(spec).day_minutes


def _zone(r: Reader, table: Table, path: KeyPath, default: str) -> str:
    name = r.value(table, path, "timezone", str, default)
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        r.fail((*path, "timezone"), reason("bad_timezone", value=name))
    return name


def _schedule(r: Reader, name: str, t: Table, path: KeyPath) -> ScheduleSpec:
    keys = {
        "timezone", "round_the_clock", "hours", "breaks", "calendar", "close_days",
        "calendar_changes",
    }  # fmt: skip
    r.check_keys(t, path, keys)
    timezone = _zone(r, t, path, "Europe/Moscow")
    if r.value(t, path, "round_the_clock", bool, False):
        for key in sorted(keys - {"timezone", "round_the_clock"}):
            if key in t:
                r.fail((*path, key), reason("round_the_clock_conflict", key=key))
        return ScheduleSpec(name=name, timezone=timezone, round_the_clock=True, calendar=None)
    hours = r.parsed(t, path, "hours", parse_range)
    breaks = []
    for raw in r.value(t, path, "breaks", list, []):
        if not isinstance(raw, str):
            r.fail((*path, "breaks"), reason("bad_range", value=raw))
        try:
            breaks.append(parse_range(raw))
        except ValueError as exc:
            r.fail((*path, "breaks"), str(exc))
        if not hours.start < breaks[-1].start < breaks[-1].end < hours.end:
            r.fail((*path, "breaks"), reason("break_outside", value=raw, hours=t["hours"]))
    breaks.sort(key=lambda b: b.start)
    for first, second in itertools.pairwise(breaks):
        if second.start < first.end:
            pair = {"first": format_range(first), "second": format_range(second)}
            r.fail((*path, "breaks"), reason("breaks_overlap", **pair))
    calendar = r.value(t, path, "calendar", str, "RU")
    if calendar not in ("RU", "none"):
        r.fail((*path, "calendar"), reason("bad_calendar", value=calendar))
    close = None
    if "close_days" in t:
        close = _close_days(
            r, r.value(t, path, "close_days", dict), (*path, "close_days"), hours.end
        )
    changes: tuple[tuple[date, DayKind], ...] = ()
    if "calendar_changes" in t:
        raw = r.value(t, path, "calendar_changes", dict)
        changes = _calendar_changes(r, raw, (*path, "calendar_changes"))
    return ScheduleSpec(
        name=name,
        timezone=timezone,
        hours=hours,
        breaks=tuple(breaks),
        calendar=None if calendar == "none" else calendar,
        close_days=close,
        calendar_changes=changes,
    )


# [schedules.NAME.calendar_changes]: what each list makes of its dates.
CALENDAR_CHANGES = {
    "days_off": DayKind.OFF,
    "working_days": DayKind.WORKING,
    "short_days": DayKind.SHORTENED,
}


def _calendar_changes(r: Reader, t: Table, path: KeyPath) -> tuple[tuple[date, DayKind], ...]:
    """``days_off = [2027-01-08]``, ``working_days = [...]``, ``short_days = [...]``:
    TOML dates (or "YYYY-MM-DD" strings); a date given twice is refused."""
    r.check_keys(t, path, CALENDAR_CHANGES)
    found: dict[date, tuple[DayKind, KeyPath]] = {}
    for key, kind in CALENDAR_CHANGES.items():
        for raw in r.value(t, path, key, list, []):
            day = _day(raw)
            if day is None:
                r.fail((*path, key), reason("bad_day", value=raw))
            if day in found:
                first = r.line(found[day][1])
                r.fail((*path, key), reason("day_twice", value=day.isoformat(), line=first))
            found[day] = (kind, (*path, key))
    return tuple(sorted((day, kind) for day, (kind, _) in found.items()))


def _day(raw: object) -> date | None:
    """A calendar date from a TOML date or an ISO string; None if it is not one."""
    if isinstance(raw, date) and not isinstance(raw, datetime):
        return raw
    if isinstance(raw, str):
        try:
            return date.fromisoformat(raw.strip())
        except ValueError:
            return None
    return None


def _close_days(r: Reader, t: Table, path: KeyPath, day_end: int) -> CloseDays:
    r.check_keys(t, path, {"until", "last", "first"}, {"until"})
    until = r.parsed(t, path, "until", parse_time)
    if until <= day_end:
        r.fail((*path, "until"), reason("bad_time", value=t["until"]))
    last, first = r.value(t, path, "last", int, 3), r.value(t, path, "first", int, 5)
    for key, value in (("last", last), ("first", first)):
        if not 0 <= value <= 10:
            r.fail((*path, key), reason("close_days_range", key=key, low=0, high=10))
    return CloseDays(until, last, first)


def _contract(
    r: Reader, name: str, t: Table, path: KeyPath, schedules: dict[str, ScheduleSpec]
) -> Contract:
    r.check_keys(
        t, path, {"schedule", "targets", "contacts", *TERM_KEYS, *CATALOGUE_KEYS}, {"schedule"}
    )
    schedule = r.value(t, path, "schedule", str)
    if schedule not in schedules:
        r.fail((*path, "schedule"), unknown_ref("schedule", schedule))
    day = clock_of(schedules[schedule]).day_minutes
    targets = default_targets(day)
    raw_targets = r.value(t, path, "targets", dict, {})
    for key, raw in raw_targets.items():
        tpath = (*path, "targets", key)
        if key not in {f"P{int(p)}" for p in Priority}:
            r.fail(tpath, reason("bad_priority", value=key))
        priority = Priority(int(key[1:]))
        if not isinstance(raw, dict):
            r.fail(tpath, reason("not_table", key=key))
        allowed = {"reaction", "resolution", "round_the_clock"}
        r.check_keys(raw, tpath, allowed, {"reaction", "resolution"})
        always = r.value(raw, tpath, "round_the_clock", bool, targets[priority].round_the_clock)
        minutes = 24 * 60 if always else day
        reaction = r.parsed(raw, tpath, "reaction", parse_duration)
        resolution = r.parsed(raw, tpath, "resolution", parse_duration)
        targets[priority] = SlaTarget(
            _total(reaction, minutes), _total(resolution, minutes), always
        )
    contacts = r.value(t, path, "contacts", dict, {})
    for label in contacts:
        r.value(contacts, (*path, "contacts"), label, str)
    return Contract(name, schedule, targets, dict(contacts))


def _total(duration: Duration | None, day_minutes: int) -> int | None:
    return None if duration is None else duration.total(day_minutes)


def _team(r: Reader, name: str, t: Table, path: KeyPath) -> Team:
    r.check_keys(t, path, {"chat_id", "lead", "lead_chat_id", "duty"}, {"chat_id"})
    chat_id = r.value(t, path, "chat_id", int)
    lead = r.value(t, path, "lead", int, None)
    lead_chat_id = r.value(t, path, "lead_chat_id", int, None)
    return Team(name, chat_id, lead, lead_chat_id, r.value(t, path, "duty", int, None))


def _client(
    r: Reader,
    t: Table,
    path: KeyPath,
    contracts: dict[str, Contract],
    teams: dict[str, Team],
    schedules: dict[str, ScheduleSpec],
) -> Client:
    required = {"code", "name", "contract", "team"}
    r.check_keys(
        t,
        path,
        {*required, "timezone", "managers", "alert_keys", "messengers", *CLIENT_KEYS},
        required,
    )
    code = r.value(t, path, "code", str)
    try:
        validate_client_code(code)
    except BadClientCode:
        r.fail((*path, "code"), reason("bad_code", value=code, detail=reason("code_rule")))
    contract = r.value(t, path, "contract", str)
    if contract not in contracts:
        r.fail((*path, "contract"), unknown_ref("contract", contract))
    team = r.value(t, path, "team", str)
    if team not in teams:
        r.fail((*path, "team"), unknown_ref("team", team))
    timezone = _zone(r, t, path, schedules[contracts[contract].schedule].timezone)
    messengers = _messengers(r, t, path)
    return Client(code, r.value(t, path, "name", str), timezone, contract, team, messengers)


def _messengers(r: Reader, t: Table, path: KeyPath) -> tuple[str, ...]:
    """``messengers = ["telegram", "max"]``: which its users write from (default Telegram)."""
    names = r.value(t, path, "messengers", list, ["telegram"])
    known = [c.value for c in Channel]
    if not names:
        r.fail((*path, "messengers"), reason("no_messengers"))
    for name in names:
        if name not in known:
            r.fail(
                (*path, "messengers"), reason("bad_messenger", value=name, known=", ".join(known))
            )
    if len(set(names)) != len(names):
        r.fail((*path, "messengers"), reason("messenger_twice"))
    return tuple(names)


def _staff(
    r: Reader, t: Table, path: KeyPath, teams: dict[str, Team], schedules: dict[str, ScheduleSpec]
) -> Staff:
    keys = {"telegram_id", "name", "team", "line", "username", "shift", "active"}
    r.check_keys(t, path, keys, {"telegram_id", "name", "team"})
    team = r.value(t, path, "team", str)
    if team not in teams:
        r.fail((*path, "team"), unknown_ref("team", team))
    line = r.value(t, path, "line", int, 1)
    if line not in (1, 2):
        r.fail((*path, "line"), reason("bad_line", value=line))
    shift = r.value(t, path, "shift", str, None)
    if shift is not None and shift not in schedules:
        r.fail((*path, "shift"), unknown_ref("schedule", shift))
    username = r.value(t, path, "username", str, None)
    return Staff(
        telegram_id=r.value(t, path, "telegram_id", int),
        name=r.value(t, path, "name", str),
        team=team,
        line=Line(line),
        username=None if username is None else username.lstrip("@"),
        shift=shift,
        active=r.value(t, path, "active", bool, True),
    )


def _invite(r: Reader, t: Table, path: KeyPath, clients: dict[str, Client]) -> Invite:
    r.check_keys(t, path, {"code", "client"}, {"code", "client"})
    client = r.value(t, path, "client", str)
    if client not in clients:
        r.fail((*path, "client"), unknown_ref("client", client))
    return Invite(r.value(t, path, "code", str), client)


def _collect(
    r: Reader, data: Table, section: str, key: str, build: Callable[[Table, KeyPath], V]
) -> dict[Any, V]:
    """``[[section]]`` entries built and indexed by their ``key``; a repeat is refused."""
    items = [(build(t, p), p) for t, p in r.array_tables(data, section)]
    _unique(r, f"{section}.{key}", [(getattr(item, key), (*p, key)) for item, p in items])
    return {getattr(item, key): item for item, _ in items}


def _unique(r: Reader, kind: str, entries: list[tuple[object, KeyPath]]) -> None:
    """Refuse the second of two entries with the same value, naming the first's line."""
    seen: dict[object, KeyPath] = {}
    for value, path in entries:
        if value in seen:
            first = r.line(seen[value])
            r.fail(path, reason("duplicate", kind=DUPLICATE_KINDS[kind], value=value, line=first))
        seen[value] = path
