"""Filling a request form: reading an answer, showing it, the subject built from the
answers, and which type a first message clearly asks for.

Answers are JSON-safe: text, choice, number and yes/no as strings, a date as
``YYYY-MM-DD``, an attachment as ``{"kind", "file_id", "name"?, "chat_id",
"message_id"}``, a skipped optional field as ``None``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from desk.catalogue._types import Catalogue, FieldKind, FormField, RequestType

TEXT_LIMIT = 500  # characters of one typed answer
NUMBER_LIMIT = 10**12

_DATE = re.compile(r"^(\d{1,2})[./-](\d{1,2})(?:[./-](\d{2}|\d{4}))?$")
_NUMBER = re.compile(r"^-?\d+(?:[.,]\d+)?$")
_WORD = re.compile(r"[0-9a-zа-я]+")
YES = frozenset({"да", "yes", "ага", "конечно", "+"})
NO = frozenset({"нет", "no", "не", "-"})


@dataclass(frozen=True)
class Refusal:
    """Why an answer is not taken: ``reason`` names a line of ``form_invalid.j2``."""

    reason: str  # required | too_long | bad_date | date_before | bad_number | bad_choice
    #              | bad_yesno | need_file
    other: str | None = None  # date_before: the label of the earlier field


Answers = dict[str, Any]


def read_answer(field: FormField, text: str, answers: Answers, today: date) -> Any | Refusal:
    """The typed ``text`` as the answer to ``field``, or why it is not one.
    (Attachments arrive as media: ``attachment_answer``.)"""
    text = " ".join(text.split())
    if not text:
        return Refusal("need_file" if field.kind is FieldKind.ATTACHMENT else "required")
    if field.kind is FieldKind.ATTACHMENT:
        return Refusal("need_file")
    if len(text) > TEXT_LIMIT:
        return Refusal("too_long")
    if field.kind is FieldKind.DATE:
        day = parse_date(text, today)
        if day is None:
            return Refusal("bad_date")
        earlier = answers.get(field.after) if field.after else None
        if isinstance(earlier, str) and day < date.fromisoformat(earlier):
            return Refusal("date_before", other=field.after)
        return day.isoformat()
    if field.kind is FieldKind.NUMBER:
        if not _NUMBER.match(text) or abs(float(text.replace(",", "."))) >= NUMBER_LIMIT:
            return Refusal("bad_number")
        return text.replace(",", ".")
    if field.kind is FieldKind.YESNO:
        word = text.lower().strip(".!")
        if word in YES:
            return "да"
        if word in NO:
            return "нет"
        return Refusal("bad_yesno")
    if field.kind is FieldKind.CHOICE:
        chosen = next((o for o in field.options if o.lower() == text.lower()), None)
        if chosen is not None:
            return chosen
        return text if field.other else Refusal("bad_choice")
    return text


def date_refusal_label(form: RequestType, refusal: Refusal) -> str | None:
    """The label of the field a ``date_before`` refusal names (its ``other`` is a name)."""
    if refusal.other is None:
        return None
    earlier = form.field(refusal.other)
    return earlier.label if earlier else refusal.other


def attachment_answer(
    media: list[dict[str, Any]], chat_id: int, message_id: int
) -> dict[str, Any] | Refusal:
    """A message's first document or photo as an attachment answer."""
    item = next((m for m in media if m.get("kind") in ("document", "photo")), None)
    if item is None:
        return Refusal("need_file")
    answer = {"kind": item["kind"], "file_id": item["file_id"]}
    if item.get("name"):
        answer["name"] = item["name"]
    return {**answer, "chat_id": chat_id, "message_id": message_id}


def parse_date(text: str, today: date) -> date | None:
    """«12.03.2027», «12.03.27», «12.03» (this year), «2027-03-12», «сегодня», «завтра»."""
    word = text.strip().lower()
    if word == "сегодня":
        return today
    if word == "завтра":
        return today + timedelta(days=1)
    try:
        return date.fromisoformat(word)
    except ValueError:
        pass
    match = _DATE.match(word)
    if match is None:
        return None
    day, month, year = int(match.group(1)), int(match.group(2)), match.group(3)
    full = today.year if year is None else int(year) + (2000 if len(year) == 2 else 0)
    try:
        return date(full, month, day)
    except ValueError:
        return None


def shown(field: FormField, value: Any) -> str:
    """An answer as the card and the summary show it («12.03.2027», «счёт.xlsx»)."""
    if value is None:
        return "—"
    if field.kind is FieldKind.DATE:
        return date.fromisoformat(value).strftime("%d.%m.%Y")
    if field.kind is FieldKind.ATTACHMENT:
        return str(value.get("name") or ("фото" if value.get("kind") == "photo" else "файл"))
    return str(value)


def answer_lines(form: RequestType, answers: Answers) -> list[tuple[str, str]]:
    """(label, shown answer) of each field answered or skipped, in the form's order."""
    return [(f.label, shown(f, answers[f.name])) for f in form.fields if f.name in answers]


class _Answer(str):
    """An answer in a subject pattern: ``{who:initials}`` gives «Иванова А.»."""

    __slots__ = ()

    def __format__(self, spec: str) -> str:
        if spec == "initials":
            return initials(self)
        return format(str(self), spec)


def initials(full_name: str) -> str:
    """«Иванова Анна Сергеевна» -> «Иванова А. С.»; one word stays as it is."""
    words = full_name.split()
    if len(words) < 2:
        return full_name
    return " ".join([words[0], *(f"{w[0].upper()}." for w in words[1:3] if w[0].isalpha())])


def build_subject(form: RequestType, answers: Answers) -> str:
    """The ticket's subject from the type's pattern and the answers (the title when the
    pattern is empty or names a field left blank)."""
    if not form.subject:
        return form.title
    values = {f.name: _Answer(shown(f, answers.get(f.name))) for f in form.fields}
    try:
        subject = form.subject.format(**values)
    except (KeyError, ValueError, IndexError):
        return form.title
    return " ".join(subject.split())


def form_text(form: RequestType, answers: Answers, first_message: str = "") -> str:
    """The ticket's text: the answers as «Label: answer» lines, then the message the form
    was offered for, if any."""
    lines = [f"{label}: {value}" for label, value in answer_lines(form, answers)]
    if first_message.strip():
        lines += ["", first_message.strip()]
    return "\n".join(lines)


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("ё", "е"))


def _same_word(phrase_word: str, word: str) -> bool:
    """The same word in another form: a shared beginning of all but the last 4 letters
    (at least 4): «заведите» ~ «завести», «права» ~ «прав», «склад» ~ «склады»."""
    need = max(4, len(phrase_word) - 4) if len(phrase_word) > 4 else len(phrase_word)
    return len(word) >= need and word[:need] == phrase_word[:need]


def _has_phrase(words: list[str], phrase: list[str], gap: int = 2) -> bool:
    """``phrase``'s words in order, at most ``gap`` other words between two of them."""
    if not phrase:
        return False
    for start, word in enumerate(words):
        if not _same_word(phrase[0], word):
            continue
        at, found = start, True
        for wanted in phrase[1:]:
            window = range(at + 1, min(len(words), at + 2 + gap))
            at = next((i for i in window if _same_word(wanted, words[i])), -1)
            if at < 0:
                found = False
                break
        if found:
            return True
    return False


def match_type(text: str, catalogue: Catalogue) -> RequestType | None:
    """The one type with a form whose phrase the text contains; None when none or several
    do (then the message is not a clear match)."""
    words = _words(text)
    found = [
        t
        for t in catalogue.types
        if t.has_form and any(_has_phrase(words, _words(p)) for p in t.match)
    ]
    return found[0] if len(found) == 1 else None
