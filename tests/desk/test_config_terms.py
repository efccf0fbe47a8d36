"""Contract terms (watch, penalties, reports) and client managers in the config file."""

from __future__ import annotations

import pytest

from desk.config import parse_config
from desk.enums import Priority
from desk.errors import ConfigError
from desk.terms import ContractTerms, terms_from_json, terms_to_json

BASE = """\
[schedules.office]
hours = "09:00-18:00"
breaks = ["13:00-14:00"]

[contracts.standard]
schedule = "office"
{extra}

[teams.t]
chat_id = -100

[[clients]]
code = "ROGA"
name = "Рога"
contract = "standard"
team = "t"
{client}
"""

FULL = """
[contracts.standard.watch]
warn_percent = 80
remind_after = "4h"
resolve_after = "2d"

[contracts.standard.penalties]
monthly_fee = 150000
per_breach = { P1 = 5, P2 = 2.5 }
cap_percent = 10
csat_relief_from = 4.8
csat_relief_percent = 50

[contracts.standard.reports]
weekly = true
format = "xlsx"
"""


def test_terms_and_managers_are_read_with_defaults_for_the_rest() -> None:
    config = parse_config(BASE.format(extra=FULL, client="managers = [5001, 5002]"))
    terms = config.terms["standard"]
    assert terms.watch.warn_share == pytest.approx(0.8)
    assert terms.watch.remind_after_minutes == 4 * 60
    assert terms.watch.resolve_after_minutes == 2 * 8 * 60  # business days of the schedule
    assert terms.penalties is not None
    assert terms.penalties.monthly_fee == 150000
    assert terms.penalties.percent_per_breach[Priority.HIGH] == 2.5
    assert terms.penalties.percent_per_breach[Priority.MEDIUM] == 1.0  # default kept
    assert terms.penalties.cap_percent == 10
    assert terms.reports.weekly
    assert terms.reports.monthly
    assert terms.reports.format == "xlsx"
    assert config.managers == {"ROGA": (5001, 5002)}


def test_a_contract_without_terms_gets_the_defaults() -> None:
    config = parse_config(BASE.format(extra="", client=""))
    assert config.terms["standard"] == ContractTerms()
    assert config.managers == {"ROGA": ()}


def test_terms_survive_the_json_round_trip_of_the_database() -> None:
    config = parse_config(BASE.format(extra=FULL, client=""))
    terms = config.terms["standard"]
    assert terms_from_json(terms_to_json(terms)) == terms


@pytest.mark.parametrize(
    ("extra", "client", "line", "words"),
    [
        ("[contracts.standard.watch]\nwarn_percent = 150", "", 8, "от 1 до 99"),
        ("[contracts.standard.watch]\nremind_after = \"2d\"\nresolve_after = \"1h\"", "", 9,
         "позже"),
        ("[contracts.standard.penalties]\nper_breach = { P1 = 5 }", "", 7, "monthly_fee"),
        ("[contracts.standard.penalties]\nmonthly_fee = 1\nper_breach = { P9 = 5 }", "", 9,
         "P9"),
        ("[contracts.standard.reports]\nformat = \"pdf\"", "", 8, "pdf"),
        ("[contracts.standard.reports]\nevery = \"day\"", "", 8, "every"),
        ("", "managers = [\"boss\"]", 17, "managers"),
    ],
)  # fmt: skip
def test_bad_terms_are_refused_with_file_line_and_reason(
    extra: str, client: str, line: int, words: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(BASE.format(extra=extra, client=client), "c.toml")
    assert caught.value.file == "c.toml"
    assert caught.value.line == line
    assert words in caught.value.reason
