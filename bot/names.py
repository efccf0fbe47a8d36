"""People's names in a Russian case: «была у Бориса Кима», with pymorphy3's name tags.

pymorphy3 (already used for the FAQ) tags first names (``Name``), patronymics
(``Patr``) and surnames (``Surn``) with their gender, and marks the words that
do not change (``Fixd``: «Ли», «Шевченко», «Ким» of a woman).  A name is
inflected only when every word is one of these, the first is a first name whose
gender is clear, and each word has a parse of that gender in the nominative;
otherwise ``inflect`` answers None and the template uses a wording that needs no
case («предыдущий ответственный: Борис Ким»).  Templates use the filter:
``{% set g = name|genitive %}{% if g %}у {{ g }}{% else %}…{% endif %}``.
"""

from __future__ import annotations

from functools import cache
from typing import Literal

import pymorphy3

Case = Literal["gent", "datv", "accs", "ablt", "loct"]
_PARTS = frozenset({"Name", "Patr", "Surn"})
_GENDERS = frozenset({"masc", "femn"})


@cache
def _morph() -> pymorphy3.MorphAnalyzer:
    """The analyzer, built once on first use (its dictionary takes ~0.3 s)."""
    return pymorphy3.MorphAnalyzer()


def inflect(name: str, case: Case) -> str | None:
    """``name`` («Борис Ким», «Анна Смирнова», «Жанна Ли») in ``case``, or None where
    the inflection is not sure (an unknown word, a nickname, an unclear gender)."""
    words = name.split()
    if not 1 <= len(words) <= 3 or not all(_is_word(w) for w in words):
        return None
    gender = _gender(words[0])
    if gender is None:
        return None
    result = []
    for word in words:
        form = _word_in(word, gender, case)
        if form is None:
            return None
        result.append(form)
    return " ".join(result)


def genitive(name: str) -> str:
    """The Jinja filter: ``name`` in the genitive, or "" where unsure (use a fallback)."""
    return inflect(name, "gent") or ""


def _is_word(word: str) -> bool:
    """A capitalised Cyrillic word, maybe hyphenated («Анна-Мария» is still refused below
    unless pymorphy3 knows it)."""
    return word[:1].isupper() and all(
        "а" <= ch.lower() <= "я" or ch.lower() == "ё" or ch == "-" for ch in word
    )


def _gender(first: str) -> str | None:
    """The gender of a first name, if pymorphy3 gives it one without doubt."""
    genders = {
        gender
        for parse in _morph().parse(first)
        if "Name" in parse.tag and parse.tag.case == "nomn"
        for gender in (parse.tag.gender,)
        if gender in _GENDERS
    }
    return genders.pop() if len(genders) == 1 else None


def _word_in(word: str, gender: str, case: Case) -> str | None:
    """One word of a name in ``case``: unchanged if it does not decline, None if unknown."""
    fitting = [
        parse
        for parse in _morph().parse(word)
        if _PARTS & parse.tag.grammemes
        and parse.tag.case == "nomn"
        and parse.tag.number != "plur"
        and (gender in parse.tag.grammemes or "ms-f" in parse.tag.grammemes)
    ]
    if not fitting:
        return None
    parse = fitting[0]
    if "Fixd" in parse.tag:
        return word
    form = parse.inflect({case})
    if form is None:
        return None
    return _cased_like(form.word, word)


def _cased_like(form: str, model: str) -> str:
    """``form`` capitalised as ``model`` is (each hyphenated part)."""
    parts, shapes = form.split("-"), model.split("-")
    if len(parts) != len(shapes):
        return form.capitalize()
    return "-".join(
        p.capitalize() if s[:1].isupper() else p for p, s in zip(parts, shapes, strict=True)
    )
