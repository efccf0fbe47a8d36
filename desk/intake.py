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
# Tuned on the "tuning" part of tests/desk/data/priority_set.csv only; the
# "held_out" part shows how they do on requests they were not written for
# (``make bench ARGS=bench_priority``).

# Everyone, not one person: the mark of P1 ("the system does not work").
_EVERYONE = (
    r"(у\s+всех|никто\b|ни\s+у\s+кого|ни\s+на\s+одном|ни\s+один\w*\s+(сотрудник|"
    r"пользовател|компьютер|рабоч)|все\s+(пользовател|сотрудник)|всех\s+(пользовател|сотрудник)|"
    r"вес[ья]\s+(офис|фирм|компани|склад|бухгалтери)|вся\s+(компания|фирма|бухгалтерия)|всей\s+компани|"
    r"во\s+всех\s+(филиал|магазин|офис))"
)
_SYSTEM = r"(баз[аыу]\b|1\s?с|программ|сервер|сервак|систем|кластер|учетн\w+\s+систем)"
_DOWN = (
    r"(не\s+запуска|не\s+запустит|не\s+открыва|не\s+работа|не\s+грузит|не\s+загружает|упал|"
    r"лежит|легла|недоступ|не\s+доступ|не\s+заход|не\s+(может|могут|можем)\s+(войти|зайти|"
    r"открыть|работать)|не\s+входит|не\s+отвечает|не\s+стартует|висит|отвалил|умерл|"
    r"ошибк\w*\s+(при\s+запуске|подключени|лицензи)|разорван|без\s+1\s?с)"
)
# What stops a business process (P2): shipment, the cash desk, period close,
# payroll due, goods at the gate.
_WAITING = (
    r"(машин\w*|фур\w*|водител\w*|клиент|поставщик|покупател\w*)\s+(\w+\s+){0,3}"
    r"(стоит|стоят|ждет|ждут|ругает|уход|на\s+ворот|на\s+склад)"
)
_DEADLINE = r"(сегодня|завтра|послезавтра|последний\s+день|срок\w*\s+сдачи\s+(сегодня|завтра))"

_RULES: tuple[_Rule, ...] = (
    _rule(
        Priority.CRITICAL,
        Category.INCIDENT,
        rf"{_SYSTEM}.{{0,60}}{_DOWN}.{{0,60}}{_EVERYONE}",
        rf"{_EVERYONE}.{{0,60}}{_DOWN}",
        rf"{_DOWN}.{{0,60}}{_EVERYONE}",
        rf"{_EVERYONE}.{{0,40}}{_SYSTEM}.{{0,40}}(ошибк|не\s+)",
        r"(баз[аы]|1\s?с|сервер|сервак|кластер)\s+(\w+\s+)?(упал|лежит|легла|недоступ|не\s+отвечает)",
        r"(легла|упала|лежит)\s+(вся\s+)?(баз|1\s?с|программ|систем)",
        r"(полностью|вообще|целиком)\s+(\w+\s+)?(недоступ|не\s+работа|не\s+запуска)",
        r"не\s+работает\s+(ничего|вообще\s+ничего)",
        r"работа\s+(компании\s+)?(стоит|останов)\w*\s+у\s+всех",
    ),
    _rule(
        Priority.HIGH,
        Category.INCIDENT,
        # shipment
        r"не\s+(можем|могу|могут|получается|удается)\s+(\w+\s+)?(от)?гру[зж]",
        r"отгрузк\w*\s+(\w+\s+){0,2}(стоит|стоят|встал|сорван)",
        r"(стоит|встала?|встали|сорвана)\s+отгрузк",
        r"под\s+погрузк",
        _WAITING,
        r"не\s+(можем|могу|могут)\s+(\w+\s+)?(принять|оформить\s+ни|выписать\s+ни|провести\s+реализаци)",
        r"(ттн|накладн\w*).{0,30}(не\s+печата|не\s+формир|не\s+провод)",
        # the cash desk
        r"(\bкасс[аыеу]?\b|\bкассой\b|кассов\w+\s+(программ|аппарат)).{0,40}(не\s+|ошибк|блокир)",
        r"(чек\w*|ккт|фискальн\w*|эквайринг\w*).{0,30}(не\s+|ошибк)",
        r"не\s+\w+\s+(пробить|пробива|пробева)\w*.{0,20}чек",
        r"не\s+(\w+\s+)?(пробива|пробева)\w*\s+чек",
        r"не\s+(можем|могу)\s+(продавать|продать|пробить|отпустить)",
        r"очеред\w*\s+(на|в)\s+касс|в\s+магазине\s+очеред|магазин\s+стоит|покупател\w*\s+уход",
        # closing a period
        r"не\s+(закрыва|закроет|закрылс)\w*\s+(месяц|период|квартал|год)",
        r"не\s+(можем|могу|получается)\s+закрыть\s+(месяц|период|квартал|год)",
        r"(месяц|период|квартал|год)\s+не\s+закрыва",
        r"закрыти\w+\s+(месяца|периода|квартала|года).{0,40}(ошибк|не\s+проход|не\s+выполня|пада)",
        r"(ошибк\w*|пада\w*)\s+при\s+закрыти\w+\s+(месяца|периода|квартала|года)",
        r"регламентн\w+\s+операци\w*\s+пада",
        r"(сдач\w*|сдавать|сдаем)\s+(\w+\s+)?(отчетност|ндс|баланс|декларац)\w*\s+" + _DEADLINE,
        r"бухгалтерия\s+стоит|склад\s+стоит",
        # payroll due
        r"(зарплат|зп\b|аванс|ведомост|выплат)\w*.{0,60}" + _DEADLINE,
        _DEADLINE + r".{0,60}(зарплат|зп\b|аванс|выплат)",
        r"не\s+(можем|могу)\s+выплатить",
        # state systems blocking goods
        r"(егаис|меркури\w*|\bвсд\b|\bэдо\b).{0,80}(не\s+можем|не\s+отгруж|машин|ждет|ждут|"
        r"блокир|не\s+отвечает)",
    ),
    _rule(
        Priority.BACKGROUND,
        Category.ENHANCEMENT,
        r"доработ",
        r"(добавить|сделать|нужн\w*|хотим|разработать)\s+(\w+\s+)?(нов\w+\s+)?(отчет|печатн\w+\s+форм|"
        r"реквизит|обработк|поле)",
        r"(изменить|поменять)\s+(печатн\w+\s+форм|макет|отчет)",
        r"\bхотим\b|хотелось\s+бы|предлага\w*|предложени|было\s+бы\s+(здорово|хорошо|удобно)",
        r"можно\s+ли\s+(\w+\s+)?(сделать|добавить)|можете\s+сделать",
        r"добавить\s+в\s+(отчет|карточк|форм)\w*\s+(\w+\s+)?(колонк|поле|реквизит)",
        r"нужно,?\s+чтобы\s+программа|чтобы\s+(\w+\s+)?автоматически",
        r"такого\s+в\s+программе\s+нет",
    ),
    _rule(
        Priority.LOW,
        Category.ACCESS,
        r"(добавить|завести|создать|удалить|заблокир\w*|отключит\w*)\s+(нов\w+\s+)?пользовател",
        r"\bправ[аоу]?\b|\bправов\b",
        r"\bроль|\bроли\b|\bдоступ\w*\s+(к|на|в)\b",
        r"парол",
        r"уволил|сделать\s+(ему|ей)\s+вход|открыть\s+раздел",
    ),
    _rule(
        Priority.LOW,
        Category.MASTER_DATA,
        r"\bнси\b",
        r"(завести|добавить|создать|добавьте|заведите)\s+(\w+\s+)?(нов\w+\s+)?(номенклатур|контрагент|"
        r"склад|организаци|подразделени|товар|сотрудник|стать)",
        r"справочник",
        r"\bинн\b|\bкпп\b|единиц\w*\s+измерени|в\s+карточке\s+(номенклатур|контрагент|товар)",
        r"поправьте\s+(\w+\s+)?в\s+карточке|одинаковых\s+договор",
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
