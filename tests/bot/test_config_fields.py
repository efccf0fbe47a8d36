"""``config apply`` sees every field it applies: changing any key of any section
in the file is reported by ``config apply`` and leaves an audit event.

The base config below states every key the loader accepts (a test checks that
against the loader's own list of allowed keys, so a new key without a case here
fails); each case changes one of them in the TOML text and applies it.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from desk.config import parse_config
from desk.errors import ConfigError
from tests.bot.cli_support import run_cli, sql
from tests.conftest import SQLITE_QUERY

Data = dict[str, Any]

BASE: Data = {
    "schedules": {
        "office": {
            "timezone": "Europe/Moscow",
            "calendar": "RU",
            "hours": "09:00-18:00",
            "breaks": ["13:00-14:00"],
            "close_days": {"until": "23:00", "last": 3, "first": 5},
            "calendar_changes": {
                "days_off": [date(2027, 1, 11)],
                "working_days": [date(2027, 1, 9)],
                "short_days": [date(2027, 1, 12)],
            },
        },
        "always": {"timezone": "Europe/Moscow", "round_the_clock": True},
    },
    "contracts": {
        "standard": {
            "schedule": "office",
            "targets": {"P2": {"reaction": "30m", "resolution": "4h", "round_the_clock": False}},
            "contacts": {"ИТ-служба клиента": "it@roga.example"},
            "sla": {"measure": "peak"},
            "watch": {"warn_percent": 75, "remind_after": "1d", "resolve_after": "3d"},
            "penalties": {
                "monthly_fee": 150000,
                "per_breach": {"P1": 5},
                "cap_percent": 15,
                "csat_relief_from": 4.8,
                "csat_relief_percent": 50,
                "csat_extra_below": 3.5,
                "csat_extra_percent": 2,
            },
            "reports": {
                "weekly": False,
                "monthly": True,
                "to_managers": True,
                "to_lead": True,
                "format": "html",
            },
            "alerts": {
                "critical": 1,
                "high": 2,
                "warning": 3,
                "info": 4,
                "repeat_every": "30m",
                "on_resolved": "resolve",
                "reopen_within": "30m",
            },
            "incidents": {"propose_after": 3, "propose_within": "15m"},
            "types": {
                "access": {
                    "title": "Доступ и права",
                    "category": "access",
                    "priority": 4,
                    "reaction": "4h",
                    "resolution": "3d",
                    "approval": "any",
                    "design": False,
                    "remind_after": "4h",
                    "escalate_after": "8h",
                    "subject": "Доступ: {who:initials} — {base}",
                    "match": ["заведите пользователя"],
                    "fields": [
                        {
                            "name": "who",
                            "label": "Кому",
                            "prompt": "Кому нужен доступ?",
                            "kind": "text",
                            "required": True,
                        },
                        {
                            "name": "base",
                            "label": "База",
                            "prompt": "В какой базе?",
                            "kind": "choice",
                            "options": ["БП", "ЗУП"],
                            "other": True,
                        },
                        {"name": "from", "label": "С", "prompt": "С какой даты?", "kind": "date"},
                        {
                            "name": "until",
                            "label": "По",
                            "prompt": "До какой даты?",
                            "kind": "date",
                            "required": False,
                            "after": "from",
                        },
                    ],
                },
            },
        },
        "retail": {"schedule": "office"},
    },
    "teams": {
        "accounting": {"chat_id": -1001000000001, "lead": 2002, "lead_chat_id": -99, "duty": 2001},
    },
    "clients": [
        {
            "code": "ROGA",
            "name": "Рога и копыта",
            "timezone": "Europe/Moscow",
            "contract": "standard",
            "team": "accounting",
            "managers": [5001],
            "messengers": ["telegram", "max"],
            "alert_keys": [{"name": "zabbix", "key_sha256": "a" * 64}],
            "people": [
                {"telegram_id": 5001, "name": "Светлана Иванова"},
                {"telegram_id": 5002, "name": "Олег Петров"},
            ],
            "approvers": {"access": [5002]},
        },
        {"code": "VOST", "name": "Восток", "contract": "retail", "team": "accounting"},
    ],
    "staff": [
        {
            "telegram_id": 2001,
            "name": "Анна Смирнова",
            "username": "anna",
            "team": "accounting",
            "line": 1,
            "shift": "always",
            "active": True,
        },
        {"telegram_id": 2002, "name": "Борис Ким", "team": "accounting"},
        {"telegram_id": 2003, "name": "Вера Орлова", "team": "accounting", "line": 2},
    ],
    "invites": [{"code": "roga", "client": "ROGA"}],
}


# -- a small TOML writer (enough for BASE) ---------------------------------------


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise TypeError(value)


def _key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key, ensure_ascii=False)


def _table(data: Data, path: list[str]) -> Iterator[str]:
    def is_tables(v: Any) -> bool:
        return isinstance(v, list) and bool(v) and all(isinstance(i, dict) for i in v)

    for key, value in data.items():
        if not isinstance(value, dict) and not is_tables(value):
            yield f"{_key(key)} = {_value(value)}"
    for key, value in data.items():
        inner = [*path, _key(key)]
        if isinstance(value, dict):
            yield f"\n[{'.'.join(inner)}]"
            yield from _table(value, inner)
        elif is_tables(value):
            for item in value:
                yield f"\n[[{'.'.join(inner)}]]"
                yield from _table(item, inner)


def toml(data: Data) -> str:
    return "\n".join(_table(data, [])) + "\n"


# -- the cases ---------------------------------------------------------------------

# The sign and the noun ``config apply`` prints for a change of each kind.
SIGNS = {"add": "+", "change": "~", "remove": "-"}
NOUNS = {
    "schedule": "расписание",
    "contract": "договор",
    "terms": "условия договора",
    "team": "команда",
    "client": "клиент",
    "managers": "менеджеры клиента",
    "alert_keys": "ключи API клиента",
    "catalogue": "типы заявок договора",
    "people": "люди и согласующие клиента",
    "staff": "сотрудник",
    "invite": "приглашение",
}


@dataclass(frozen=True)
class Case:
    field: str  # the key changed, as "section.*.key" ("*": a name, "[]": an entry)
    change: Callable[[Data], None]
    expected: tuple[tuple[str, str, str], ...]  # (action, kind, key) it must report


def _set(*path: str | int, to: Any) -> Callable[[Data], None]:
    def change(data: Data) -> None:
        node: Any = data
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = to

    return change


def _both(*changes: Callable[[Data], None]) -> Callable[[Data], None]:
    def change(data: Data) -> None:
        for one in changes:
            one(data)

    return change


SCHEDULE = ("change", "schedule", "office")
TERMS = ("change", "terms", "standard")
STAFF = ("change", "staff", "2001")
S = ("schedules", "office")
C = ("contracts", "standard")
PEN = (*C, "penalties")
REP = (*C, "reports")
ALERTS = (*C, "alerts")
KEYS = ("change", "alert_keys", "ROGA")
TYPES = (*C, "types", "access")
FIELDS = (*TYPES, "fields")
CATALOGUE = ("change", "catalogue", "standard")
PEOPLE = ("change", "people", "ROGA")
CASES = [
    Case("schedules.*.timezone", _set(*S, "timezone", to="Asia/Yekaterinburg"), (SCHEDULE,)),
    Case(
        "schedules.*.round_the_clock",
        _set("schedules", "always", to={"round_the_clock": False, "hours": "00:00-24:00"}),
        (("change", "schedule", "always"),),
    ),
    Case("schedules.*.calendar", _set(*S, "calendar", to="none"), (SCHEDULE,)),
    Case("schedules.*.hours", _set(*S, "hours", to="10:00-19:00"), (SCHEDULE,)),
    Case("schedules.*.breaks", _set(*S, "breaks", to=["12:00-13:00"]), (SCHEDULE,)),
    Case("schedules.*.close_days.until", _set(*S, "close_days", "until", to="22:00"), (SCHEDULE,)),
    Case("schedules.*.close_days.last", _set(*S, "close_days", "last", to=2), (SCHEDULE,)),
    Case("schedules.*.close_days.first", _set(*S, "close_days", "first", to=4), (SCHEDULE,)),
    Case(
        "schedules.*.calendar_changes.days_off",
        _set(*S, "calendar_changes", "days_off", to=[date(2027, 1, 11), date(2027, 5, 4)]),
        (SCHEDULE,),
    ),
    Case(
        "schedules.*.calendar_changes.working_days",
        _set(*S, "calendar_changes", "working_days", to=[date(2027, 1, 16)]),
        (SCHEDULE,),
    ),
    Case(
        "schedules.*.calendar_changes.short_days",
        _set(*S, "calendar_changes", "short_days", to=[]),
        (SCHEDULE,),
    ),
    Case(
        "contracts.*.schedule",
        _set(*C, "schedule", to="always"),
        (("change", "contract", "standard"),),
    ),
    *(
        Case(
            f"contracts.*.targets.*.{key}",
            _set(*C, "targets", "P2", key, to=value),
            (("change", "contract", "standard"),),
        )
        for key, value in (("reaction", "45m"), ("resolution", "5h"), ("round_the_clock", True))
    ),
    Case(
        "contracts.*.contacts.*",
        _set(*C, "contacts", "ИТ-служба клиента", to="help@roga.example"),
        (("change", "contract", "standard"),),
    ),
    Case("contracts.*.sla.measure", _set(*C, "sla", "measure", to="final"), (TERMS,)),
    Case("contracts.*.watch.warn_percent", _set(*C, "watch", "warn_percent", to=80), (TERMS,)),
    Case("contracts.*.watch.remind_after", _set(*C, "watch", "remind_after", to="2d"), (TERMS,)),
    Case("contracts.*.watch.resolve_after", _set(*C, "watch", "resolve_after", to="5d"), (TERMS,)),
    Case("contracts.*.penalties.monthly_fee", _set(*PEN, "monthly_fee", to=200000), (TERMS,)),
    Case("contracts.*.penalties.per_breach.*", _set(*PEN, "per_breach", "P1", to=7), (TERMS,)),
    Case("contracts.*.penalties.cap_percent", _set(*PEN, "cap_percent", to=20), (TERMS,)),
    Case(
        "contracts.*.penalties.csat_relief_from", _set(*PEN, "csat_relief_from", to=4.5), (TERMS,)
    ),
    Case(
        "contracts.*.penalties.csat_relief_percent",
        _set(*PEN, "csat_relief_percent", to=40),
        (TERMS,),
    ),
    Case(
        "contracts.*.penalties.csat_extra_below", _set(*PEN, "csat_extra_below", to=3.0), (TERMS,)
    ),
    Case(
        "contracts.*.penalties.csat_extra_percent", _set(*PEN, "csat_extra_percent", to=3), (TERMS,)
    ),
    Case("contracts.*.reports.weekly", _set(*REP, "weekly", to=True), (TERMS,)),
    Case("contracts.*.reports.monthly", _set(*REP, "monthly", to=False), (TERMS,)),
    Case("contracts.*.reports.to_managers", _set(*REP, "to_managers", to=False), (TERMS,)),
    Case("contracts.*.reports.to_lead", _set(*REP, "to_lead", to=False), (TERMS,)),
    Case("contracts.*.reports.format", _set(*REP, "format", to="xlsx"), (TERMS,)),
    *(
        Case(f"contracts.*.alerts.{key}", _set(*ALERTS, key, to=value), (TERMS,))
        for key, value in (
            ("critical", 2),
            ("high", 1),
            ("warning", 4),
            ("info", 5),
            ("repeat_every", "1h"),
            ("on_resolved", "ask"),
            ("reopen_within", "2h"),
        )
    ),
    Case(
        "contracts.*.incidents.propose_after",
        _set(*C, "incidents", "propose_after", to=5),
        (TERMS,),
    ),
    Case(
        "contracts.*.incidents.propose_within",
        _set(*C, "incidents", "propose_within", to="30m"),
        (TERMS,),
    ),
    *(
        Case(
            f"teams.*.{key}",
            _set("teams", "accounting", key, to=value),
            (("change", "team", "accounting"),),
        )
        for key, value in (
            ("chat_id", -1001000000002),
            ("lead", 2001),
            ("lead_chat_id", -98),
            ("duty", 2002),
        )
    ),
    Case(
        "clients[].code",
        _set("clients", 1, "code", to="VOSK"),
        (("add", "client", "VOSK"), ("remove", "client", "VOST")),
    ),
    *(
        Case(f"clients[].{key}", _set("clients", 0, key, to=value), (("change", "client", "ROGA"),))
        for key, value in (
            ("name", "Рога и копыта плюс"),
            ("timezone", "Asia/Yekaterinburg"),
            ("messengers", ["telegram"]),  # its users no longer invited to MAX
        )
    ),
    Case(
        "clients[].contract",  # the retail contract has no approvals: the approvers go too
        _both(_set("clients", 0, "contract", to="retail"), _set("clients", 0, "approvers", to={})),
        (("change", "client", "ROGA"), PEOPLE),
    ),
    Case(
        "clients[].team",
        _both(
            _set("teams", "other", to={"chat_id": -1001000000003}),
            _set("clients", 1, "team", to="other"),
        ),
        (("add", "team", "other"), ("change", "client", "VOST")),
    ),
    Case(
        "clients[].managers",
        _set("clients", 0, "managers", to=[5001, 5002]),
        (("change", "managers", "ROGA"),),
    ),
    Case(
        "clients[].managers",  # the complaint of the issue: managers added to a client
        _set("clients", 1, "managers", to=[1001]),
        (("add", "managers", "VOST"),),
    ),
    Case(
        "clients[].managers",
        _set("clients", 0, "managers", to=[]),
        (("remove", "managers", "ROGA"),),
    ),
    Case(
        "clients[].alert_keys[].name",
        _set("clients", 0, "alert_keys", 0, "name", to="prometheus"),
        (KEYS,),
    ),
    Case(
        "clients[].alert_keys[].key_sha256",  # a key replaced: the old one is revoked
        _set("clients", 0, "alert_keys", 0, "key_sha256", to="b" * 64),
        (KEYS,),
    ),
    Case(
        "clients[].alert_keys[].name",
        _set("clients", 1, "alert_keys", to=[{"name": "zabbix", "key_sha256": "c" * 64}]),
        (("add", "alert_keys", "VOST"),),
    ),
    Case(
        "clients[].alert_keys[].key_sha256",  # every key of a client revoked
        _set("clients", 0, "alert_keys", to=[]),
        (("remove", "alert_keys", "ROGA"),),
    ),
    *(
        Case(f"contracts.*.types.*.{key}", _set(*TYPES, key, to=value), (CATALOGUE,))
        for key, value in (
            ("title", "Доступ"),
            ("category", "master_data"),
            ("priority", 3),
            ("reaction", "2h"),
            ("resolution", "5d"),
            ("approval", "all"),
            ("design", True),
            ("remind_after", "2h"),
            ("escalate_after", "2d"),
            ("subject", "Доступ: {who}"),
            ("match", ["заведите пользователя", "дайте права"]),
        )
    ),
    *(
        Case(
            f"contracts.*.types.*.fields[].{key}", _set(*FIELDS, index, key, to=value), (CATALOGUE,)
        )
        for index, key, value in (
            (3, "name", "till"),
            (0, "label", "Сотрудник"),
            (0, "prompt", "Кому нужен доступ? ФИО"),
            (0, "required", False),
            (1, "options", ["БП", "ЗУП", "УТ"]),
            (1, "other", False),
        )
    ),
    Case(
        "contracts.*.types.*.fields[].kind",
        _set(*FIELDS, 0, "kind", to="number"),
        (CATALOGUE,),
    ),
    Case(
        "contracts.*.types.*.fields[].after",  # «по» no earlier than «кому», now a date
        _both(_set(*FIELDS, 0, "kind", to="date"), _set(*FIELDS, 3, "after", to="who")),
        (CATALOGUE,),
    ),
    Case(
        "clients[].people[].telegram_id",
        _set("clients", 0, "people", 0, "telegram_id", to=5003),
        (PEOPLE,),
    ),
    Case(
        "clients[].people[].name",
        _set("clients", 0, "people", 1, "name", to="О. Петров"),
        (PEOPLE,),
    ),
    Case("clients[].approvers.*", _set("clients", 0, "approvers", "access", to=[5001]), (PEOPLE,)),
    Case(
        "staff[].telegram_id",
        _set("staff", 2, "telegram_id", to=2009),
        (("add", "staff", "2009"), ("remove", "staff", "2003")),
    ),
    *(
        Case(f"staff[].{key}", _set("staff", 0, key, to=value), (STAFF,))
        for key, value in (
            ("name", "Анна Смирнова-Ким"),
            ("username", "anna_s"),
            ("line", 2),
            ("shift", "office"),
            ("active", False),
        )
    ),
    Case(
        "staff[].team",
        _both(
            _set("teams", "other", to={"chat_id": -1001000000003}),
            _set("staff", 2, "team", to="other"),
        ),
        (("add", "team", "other"), ("change", "staff", "2003")),
    ),
    Case(
        "invites[].code",
        _set("invites", 0, "code", to="roga-2027"),
        (("add", "invite", "roga-2027"), ("remove", "invite", "roga")),
    ),
    Case(
        "invites[].client",
        _set("invites", 0, "client", to="VOST"),
        (("change", "invite", "roga"),),
    ),
]


def _fields(data: Data, prefix: str = "", named: bool = False) -> set[str]:
    """The keys of ``data`` as ``Case.field`` writes them."""
    found: set[str] = set()
    for key, value in data.items():
        name = "*" if named else key
        path = f"{prefix}.{name}" if prefix else name
        if isinstance(value, dict):
            inner_named = key in {
                "schedules", "contracts", "teams", "targets", "contacts", "types", "approvers",
            }  # fmt: skip
            found |= _fields(value, path, inner_named or key == "per_breach")
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            for item in value:
                found |= _fields(item, f"{path}[]")
        else:
            found.add(path)
    return found


def _tables(data: Data, path: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    """Paths of every table in ``data`` (entries of arrays of tables included)."""
    for key, value in data.items():
        if isinstance(value, dict):
            yield (*path, key)
            yield from _tables(value, (*path, key))
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            for index, item in enumerate(value):
                yield (*path, key, index)
                yield from _tables(item, (*path, key, index))


def test_the_base_states_every_key_the_loader_accepts() -> None:
    """An unknown key in each table is refused with the list of keys allowed there;
    the base config uses every one of them (so every key has a case below)."""
    parse_config(toml(BASE))
    for path in _tables(BASE):
        data = copy.deepcopy(BASE)
        parent: Any = data
        for part in path[:-1]:
            parent = parent[part]
        node = parent[path[-1]]
        # the keys of this table and of its kin (the other schedules, staff entries...)
        kin = parent if isinstance(path[-1], int) else [parent[n] for n in parent]
        stated = (
            set().union(*map(set, kin))
            if len(path) == 2 or isinstance(path[-1], int)
            else set(node)
        )
        node["zz_probe"] = 1
        with pytest.raises(ConfigError) as refused:
            parse_config(toml(data))
        allowed = re.search(r"неизвестный ключ «zz_probe»; допустимы: (.+)$", str(refused.value))
        if allowed is None:  # a table of free keys: contacts, per_breach, targets
            continue
        assert set(allowed.group(1).split(", ")) <= stated - {"zz_probe"}, path


def test_every_key_of_the_base_has_a_case() -> None:
    assert _fields(BASE) == {case.field for case in CASES}


@pytest.fixture(scope="module")
def base_db(tmp_path_factory: pytest.TempPathFactory, _sqlite_template: Path) -> tuple[str, Path]:
    """One migrated SQLite database for the module (each case starts by applying
    the base, which puts back what the case before changed) and the base file."""
    folder = tmp_path_factory.mktemp("fields")
    shutil.copyfile(_sqlite_template, folder / "fields.sqlite3")
    base = folder / "base.toml"
    base.write_text(toml(BASE), encoding="utf-8")
    return f"sqlite+aiosqlite:///{folder / 'fields.sqlite3'}{SQLITE_QUERY}", base


@pytest.mark.parametrize("case", CASES, ids=[f"{c.field} {c.expected[0][2]}" for c in CASES])
def test_a_changed_field_is_reported_and_audited(
    capsys: pytest.CaptureFixture[str], base_db: tuple[str, Path], tmp_path: Path, case: Case
) -> None:
    """Changing the key in the file: ``config apply`` names the change, the audit
    trail has an event for it, and applying the base again puts it back."""
    url, base = base_db
    assert run_cli(capsys, "config", "apply", str(base), "--database-url", url).code == 0
    data = copy.deepcopy(BASE)
    case.change(data)
    changed = tmp_path / "changed.toml"
    changed.write_text(toml(data), encoding="utf-8")
    before = sql(url, "SELECT max(id) FROM audit_events")[0][0]
    result = run_cli(capsys, "config", "apply", str(changed), "--database-url", url)
    assert result.code == 0, result.err
    assert "изменений нет" not in result.out
    for action, kind, key in case.expected:
        assert f"{SIGNS[action]} {NOUNS[kind]} {key}\n" in result.out, result.out
        events = sql(
            url,
            "SELECT count(*) FROM audit_events WHERE id > :before AND actor = 'config'"
            " AND what = :what AND reason = :reason",
            before=before,
            what=f"config.{kind}",
            reason=f"{action} {key}",
        )
        assert events == [(1,)], (kind, key)
    back = run_cli(capsys, "config", "apply", str(base), "--database-url", url)
    assert back.code == 0, back.err
    assert "изменений нет" not in back.out
    again = run_cli(capsys, "config", "apply", str(base), "--database-url", url)
    assert "изменений нет" in again.out
