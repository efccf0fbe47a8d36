"""Surface normalisation of how people really type.

NFKC, zero-width characters removed, odd spaces made plain, Latin look-alike
letters inside Cyrillic words (``1C`` with a Latin C) made Cyrillic,
lowercase, ``ё`` → ``е``. The keyboard-layout fix (``knowledge._layout``) runs
on the result because it needs a dictionary.
"""

from __future__ import annotations

import re
import unicodedata

_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"\w+")
_CYRILLIC = re.compile("[а-яёА-ЯЁ]")
_LATIN = re.compile("[a-zA-Z]")
_LOOKALIKE = str.maketrans(
    "ABCEHKMOPTXYaceopxyk",
    "АВСЕНКМОРТХУасеорхук",
)
_MIXED = re.compile("[а-яёА-ЯЁ][a-zA-Z]|[a-zA-Z][а-яёА-ЯЁ]")
_ONE_C = re.compile(r"\b1[cCсС]\b")


def normalize(text: str) -> str:
    """The canonical surface form of ``text`` (one space between words)."""
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    text = _SPACES.sub(" ", text).strip()
    if _MIXED.search(text):
        text = _WORD.sub(_fix_lookalikes, text)
    text = _ONE_C.sub("1с", text)
    return text.lower().replace("ё", "е")


def _fix_lookalikes(match: re.Match[str]) -> str:
    word = match.group(0)
    if _CYRILLIC.search(word) and _LATIN.search(word):
        return word.translate(_LOOKALIKE)
    return word
