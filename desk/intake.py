"""Guessing a new request's priority and category from its Russian text.

Pure rules, no dictionary: the user can change the guess with one tap, so
the rules aim at the cases the support contract names (ARCHITECTURE.md,
"Domain") and otherwise fall back to P3 / incident or consultation.

The rules are checked from the most urgent down; the first match wins.
"""

from __future__ import annotations

import re
import unicodedata
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
    shown = (visible(line) for line in text.splitlines())
    first = " ".join(next((line for line in shown if line), "").split())
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

# What shows nothing on a screen: separators and control characters read as a
# space; format characters (zero-width space, joiners, BOM, soft hyphen, the
# Mongolian vowel separator...) and fillers that Unicode files as letters or
# symbols (Hangul fillers, the blank braille pattern, Khmer inherent vowels,
# variation selectors) read as nothing.
_SPACES = frozenset({"Zs", "Zl", "Zp", "Cc"})
_NOTHING = frozenset({"Cf", "Cs", "Co", "Cn"})
_FILLERS = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0")


def _shown(ch: str) -> str:
    """``ch`` as a reader sees it: itself, a space, or nothing."""
    category = unicodedata.category(ch)
    if category in _SPACES:
        return " "
    if (
        category in _NOTHING
        or ch in _FILLERS
        or unicodedata.name(ch, "").startswith("VARIATION SELECTOR")
    ):
        return ""
    return ch


def visible(text: str) -> str:
    """``text`` with every invisible character gone or read as a space, trimmed."""
    return "".join(map(_shown, text)).strip()


def is_request(text: str) -> bool:
    """Whether a text on its own can be a request: more than one letter or digit
    that shows ("ㅤ", "0", "👍", "." are not), not only a thank-you or an "ok"."""
    shown = visible(text)
    if sum(ch.isalnum() for ch in shown) < 2:
        return False
    words = _WORDS.findall(shown.lower().replace("ё", "е"))
    return " ".join(words) not in _ACKNOWLEDGEMENTS
