"""The TOML config loader: values become desk objects; mistakes name their line."""

from __future__ import annotations

from pathlib import Path

import pytest

from desk.config import load_config, parse_config
from desk.config._lines import SourceLines
from desk.enums import Priority
from desk.errors import ConfigError
from desk.model import CloseDays, SlaTarget, TimeRange

ROOT = Path(__file__).parents[2]


def test_the_example_config_reads_as_documented() -> None:
    """Durations become business minutes of the contract's schedule (a day of
    "office" is 8 h), priorities not listed keep the defaults, P1 counts round
    the clock, a client's timezone defaults to its contract schedule's."""
    config = load_config(ROOT / "config.example.toml")
    standard = config.contracts["standard"].targets
    assert standard[Priority.CRITICAL] == SlaTarget(15, 30, round_the_clock=True)
    assert standard[Priority.LOW] == SlaTarget(240, 3 * 480)
    assert standard[Priority.BACKGROUND] == SlaTarget(480, None)
    retail = config.contracts["retail"].targets
    assert retail[Priority.MEDIUM] == SlaTarget(120, 480)
    assert retail[Priority.LOW] == SlaTarget(240, 3 * 480)  # a default
    assert config.schedules["office_close"].close_days == CloseDays(23 * 60, 3, 5)
    assert config.schedules["office"].breaks == (TimeRange(13 * 60, 14 * 60),)
    assert config.schedules["always"].round_the_clock
    assert config.clients["ROGA"].timezone == "Europe/Moscow"
    assert config.clients["VOST"].timezone == "Asia/Yekaterinburg"
    assert config.staff[2001].username == "anna_1c"


def test_a_file_with_only_schedules_is_valid() -> None:
    config = parse_config('[schedules.office]\nhours = "08:30-17:30"\ncalendar = "none"\n')
    assert config.schedules["office"].hours == TimeRange(510, 1050)
    assert config.schedules["office"].calendar is None
    assert not config.clients


BASE = """\
[schedules.office]
hours = "09:00-18:00"

[contracts.main]
schedule = "office"

[contracts.main.targets]
P2 = { reaction = "30m", resolution = "4h" }

[teams.one]
chat_id = -100
duty = 7

[[clients]]
code = "ACME"
name = "Acme"
contract = "main"
team = "one"

[[staff]]
telegram_id = 7
name = "Anna"
team = "one"
"""


@pytest.mark.parametrize(
    ("old", "new", "line", "reason"),
    [
        ('resolution = "4h"', 'resolutoin = "4h"', 8, "неизвестный ключ «resolutoin»"),
        ('resolution = "4h"', 'resolution = "4 hours"', 8, "неверный срок «4 hours»"),
        ('P2 = {', 'P7 = {', 8, "неизвестный приоритет «P7»"),
        ('hours = "09:00-18:00"', 'hours = "18:00-09:00"', 2, "неверный интервал"),
        ('hours = "09:00-18:00"', 'round_the_clock = true\nhours = "09:00-18:00"', 3,
         "круглосуточное расписание не сочетается с ключом «hours»"),
        ('[schedules.office]\n', '[schedules.office]\ntimezone = "Europe/Moskva"\n', 2,
         "неизвестный часовой пояс «Europe/Moskva»"),
        ("duty = 7", "duty = 8", 12, "дежурный 8 должен быть сотрудником этой команды"),
        ('code = "ACME"', 'code = "acme"', 15, "неверный код «acme»"),
        ('team = "one"\n', 'team = "two"\n', 18, "неизвестная команда «two»"),
        ("chat_id = -100", 'chat_id = "-100"', 11, "«chat_id» должен быть целым числом"),
        ('code = "ACME"', 'code = "ACME"\nmessengers = ["telegram", "viber"]', 16,
         "неизвестный мессенджер «viber»: можно telegram, max"),
        ('code = "ACME"', 'code = "ACME"\nmessengers = []', 16, "список мессенджеров пуст"),
        ('code = "ACME"', 'code = "ACME"\nmessengers = ["max", "max"]', 16,
         "мессенджер указан дважды"),
    ],
)  # fmt: skip
def test_mistakes_are_reported_at_their_line(old: str, new: str, line: int, reason: str) -> None:
    """Each mistake raises ConfigError with the file, the line it is on and why."""
    assert old in BASE
    with pytest.raises(ConfigError) as caught:
        parse_config(BASE.replace(old, new, 1), "acme.toml")
    assert (caught.value.file, caught.value.line) == ("acme.toml", line)
    assert reason in caught.value.reason


def test_a_client_lists_its_messengers_telegram_alone_by_default() -> None:
    assert parse_config(BASE).clients["ACME"].messengers == ("telegram",)
    both = BASE.replace('code = "ACME"', 'code = "ACME"\nmessengers = ["telegram", "max"]')
    assert parse_config(both).clients["ACME"].messengers == ("telegram", "max")


def test_a_repeated_staff_id_names_the_first_line() -> None:
    text = BASE + '\n[[staff]]\ntelegram_id = 7\nname = "Boris"\nteam = "one"\n'
    with pytest.raises(ConfigError) as caught:
        parse_config(text)
    assert caught.value.line == 26
    assert "telegram_id сотрудника «7» уже встречался в строке 21" in caught.value.reason


def test_a_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "nope.toml")
    assert caught.value.line is None
    assert "не удалось прочитать файл" in caught.value.reason


def test_source_lines_follow_quoted_and_dotted_keys() -> None:
    """Keys inside quoted and dotted names, arrays of tables and inline tables are located."""
    lines = SourceLines(
        '[contracts."main one".contacts]\n"ИТ клиента" = "it@x"\n'
        "[[staff]]\nid = 1\n[[staff]]\nid = 2\nsite.name = 'x'\n"
    )
    assert lines.line_of(("contracts", "main one", "contacts", "ИТ клиента")) == 2
    assert lines.line_of(("staff", 1, "id")) == 6
    assert lines.line_of(("staff", 1, "site", "name")) == 7
    assert lines.line_of(("staff", 1, "missing")) == 5
    assert lines.line_of(("contracts",)) == 1
