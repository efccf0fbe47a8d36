"""Guessing a new request's priority and category from its Russian text.

Pure rules, no dictionary: the user can change the guess with one tap, so
the rules aim at the cases the support contract names (DESIGN.md, "Domain
notes") and otherwise fall back to P3 / incident or consultation.

The rules are checked from the most urgent down; the first match wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from desk.enums import Category, Priority

SUBJECT_LIMIT = 60


@dataclass(frozen=True)
class Guess:
    priority: Priority
    category: Category


@dataclass(frozen=True)
class _Rule:
    pattern: re.Pattern[str]
    guess: Guess


def _rule(priority: Priority, category: Category, *alternatives: str) -> _Rule:
    return _Rule(re.compile("|".join(alternatives)), Guess(priority, category))


# Word stems as people type them; text is lower-cased and ё→е before matching.
_EVERYONE = r"(у\s+всех|никто\s+не\s+может|все\s+пользователи|весь\s+офис|всей\s+компани)"
_DOWN = r"(не\s+запуска|не\s+открыва|не\s+работа|упал|лежит|недоступ|не\s+заход|не\s+входит)"

_RULES: tuple[_Rule, ...] = (
    _rule(
        Priority.CRITICAL,
        Category.INCIDENT,
        rf"(баз[аы]|1с|программа|сервер|систем[аы]).{{0,40}}{_DOWN}.{{0,40}}{_EVERYONE}",
        rf"{_EVERYONE}.{{0,40}}{_DOWN}",
        r"(баз[аы]|1с|сервер)\s+(упал|лежит|недоступ)",
    ),
    _rule(
        Priority.HIGH,
        Category.INCIDENT,
        r"не\s+(можем|могу|получается|удается)\s+(от)?гру[зж]",
        r"отгрузк\w*\s+(стоит|стоят|встал)",
        r"не\s+(закрыва|закроет|закрылс)\w*\s+(месяц|период|квартал|год)",
        r"закрыти\w+\s+(месяца|периода).{0,30}(ошибк|не\s+проход|не\s+выполня)",
        r"не\s+(можем|могу)\s+(продавать|пробить|отпустить)",
        r"касс\w*\s+не\s+работа",
    ),
    _rule(
        Priority.BACKGROUND,
        Category.ENHANCEMENT,
        r"доработ",
        r"(добавить|сделать|нужн\w*)\s+(нов\w+\s+)?(отчет|печатн\w+\s+форм|реквизит|обработк)",
        r"(изменить|поменять)\s+(печатн\w+\s+форм|макет|отчет)",
    ),
    _rule(
        Priority.LOW,
        Category.ACCESS,
        r"(добавить|завести|создать|удалить|заблокировать)\s+(нов\w+\s+)?пользовател",
        r"\bправ[аоу]?\b",
        r"\bроль|\bроли\b|\bдоступ\w*\s+(к|на|в)\b",
        r"парол",
    ),
    _rule(
        Priority.LOW,
        Category.MASTER_DATA,
        r"\bнси\b",
        r"(завести|добавить|создать)\s+(номенклатур|контрагент|склад|организаци)",
        r"справочник",
    ),
    _rule(
        Priority.MEDIUM,
        Category.INTEGRATION,
        r"\bэдо\b|\bегаис\b|меркури|\bобмен\w*|выгрузк\w*\s+в\s+|загрузк\w*\s+из\s+",
        r"себестоимост|регламентн\w+\s+задани",
    ),
    _rule(
        Priority.MEDIUM,
        Category.INCIDENT,
        r"ошибк|не\s+(работа|проводит|считает|формирует|печата|открыва|запуска)",
        r"завис|вылета|слетел",
    ),
)

_DEFAULT = Guess(Priority.MEDIUM, Category.CONSULTATION)


def normalise(text: str) -> str:
    """Lower case, ё→е, whitespace collapsed (what the rules match against)."""
    return " ".join(text.lower().replace("ё", "е").split())


def guess(text: str) -> Guess:
    """The priority and category the rules give ``text``; P3 consultation if none."""
    norm = normalise(text)
    for rule in _RULES:
        if rule.pattern.search(norm):
            return rule.guess
    return _DEFAULT


def subject_of(text: str, fallback: str, limit: int = SUBJECT_LIMIT) -> str:
    """A one-line subject: the first line, cut at a word boundary to ``limit``
    characters with an ellipsis; ``fallback`` for a message without text."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    first = " ".join(first.split())
    if not first:
        return fallback
    if len(first) <= limit:
        return first
    cut = first[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:—-") + "…"


# What people write after an answer, which is not a new request when no
# ticket of theirs is open ("спасибо", "ок", "👍").
_ACKNOWLEDGEMENTS = frozenset(
    {
        "спасибо", "спс", "благодарю", "большое спасибо", "спасибо большое", "ок", "окей",
        "ok", "okay", "хорошо", "понял", "поняла", "понятно", "ясно", "да", "нет", "ага",
        "угу", "отлично", "супер", "принято", "договорились", "thanks", "thank you",
    }
)  # fmt: skip
_WORDS = re.compile(r"[\w]+", re.UNICODE)


def is_request(text: str) -> bool:
    """Whether a text on its own can be a request: not empty, not only emoji or
    punctuation ("👍", "."), not only a thank-you or an "ok"."""
    words = _WORDS.findall(text.lower().replace("ё", "е"))
    if not any(ch.isalnum() for w in words for ch in w):
        return False
    return " ".join(words) not in _ACKNOWLEDGEMENTS
