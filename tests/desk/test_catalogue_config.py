"""Request types and approvers in the config: read as documented; a mistake is refused
as ``FILE:LINE: reason``."""

from __future__ import annotations

from pathlib import Path

import pytest

from desk.catalogue import Approval, FieldKind
from desk.config import load_config, parse_config
from desk.enums import Category, Priority
from desk.errors import ConfigError

ROOT = Path(__file__).parents[2]

BASE = """\
[schedules.office]
hours = "09:00-18:00"
breaks = ["13:00-14:00"]

[contracts.main]
schedule = "office"

[contracts.main.types.access]
title = "Доступ и права"
category = "access"
priority = 4
approval = "any"
remind_after = "2h"
subject = "Доступ: {who:initials} — {base}"
match = ["заведите пользователя"]

[[contracts.main.types.access.fields]]
name = "who"
label = "Кому"
prompt = "Кому нужен доступ?"

[[contracts.main.types.access.fields]]
name = "base"
label = "База"
prompt = "В какой базе?"
kind = "choice"
options = ["БП", "ЗУП"]

[contracts.main.types.question]
title = "Консультация"
category = "consultation"

[teams.t]
chat_id = -100

[[clients]]
code = "ROGA"
name = "Рога"
contract = "main"
team = "t"
managers = [5001]
people = [{ telegram_id = 5002, name = "Олег Петров" }]
approvers = { access = [5002] }
"""


def test_types_and_approvers_read_as_written() -> None:
    config = parse_config(BASE)
    access = config.catalogues["main"].types[0]
    assert access.title == "Доступ и права"
    assert access.category is Category.ACCESS
    assert access.priority is Priority.LOW
    assert access.approval is Approval.ANY
    assert access.needs_approval
    assert access.remind_after_minutes == 120
    assert access.escalate_after_minutes == 480  # the default: a business day
    assert [f.kind for f in access.fields] == [FieldKind.TEXT, FieldKind.CHOICE]
    assert access.fields[1].options == ("БП", "ЗУП")
    question = config.catalogues["main"].get("question")
    assert question is not None
    assert not question.has_form
    people = config.people["ROGA"]
    assert people.approvers_of("access") == (5002,)
    assert people.name_of(5002) == "Олег Петров"


def test_the_shipped_configs_have_the_five_types() -> None:
    for path, contract in (
        (ROOT / "bot" / "demo_config.toml", "demo"),
        (ROOT / "config.example.toml", "standard"),
    ):
        catalogue = load_config(path).catalogues[contract]
        assert [t.title for t in catalogue.types] == [
            "Доступ и права",
            "Изменение НСИ",
            "Доработка",
            "Ошибка / инцидент",
            "Консультация",
        ]
        enhancement = catalogue.get("enhancement")
        assert enhancement is not None
        assert enhancement.design
        assert not enhancement.needs_approval


def _line(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), start=1) if needle in line)


@pytest.mark.parametrize(
    ("old", "new", "at", "reason"),
    [
        (
            'kind = "choice"',
            'kind = "slider"',
            'kind = "slider"',
            "неизвестный вид поля «slider»: допустимы text, choice, date, number, yesno,"
            " attachment",
        ),
        (
            "approvers = { access = [5002] }",
            "approvers = { access = [7777] }",
            "approvers =",
            "согласующий 7777 не из людей клиента ROGA: добавьте его в people или managers",
        ),
        (
            "approvers = { access = [5002] }",
            "approvers = { question = [5002] }",
            "approvers =",
            "у типа «question» нет согласования",
        ),
        (
            'subject = "Доступ: {who:initials} — {base}"',
            'subject = "Доступ: {whom}"',
            "subject =",
            "нет поля «whom»",
        ),
        (
            'category = "access"',
            'category = "repairs"',
            'category = "repairs"',
            "неизвестная категория",
        ),
        ('approval = "any"', 'approval = "maybe"', 'approval = "maybe"', "правило согласования"),
        ('options = ["БП", "ЗУП"]', "", "[[contracts.main.types.access.fields]]", "нет вариантов"),
    ],
)
def test_a_mistake_is_refused_at_its_line(old: str, new: str, at: str, reason: str) -> None:
    text = BASE.replace(old, new)
    with pytest.raises(ConfigError) as refused:
        parse_config(text, "desk.toml")
    assert str(refused.value).startswith(f"desk.toml:{refused.value.line}: ")
    if at.startswith("[["):  # the second field's header
        lines = [i for i, line in enumerate(text.splitlines(), start=1) if line == at]
        assert refused.value.line == lines[1]
    else:
        assert refused.value.line == _line(text, at)
    assert reason in refused.value.reason
