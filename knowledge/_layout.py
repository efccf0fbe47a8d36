"""Text typed with the keyboard in the wrong (English) layout: ``ytn ghjdjlrb`` → ``нет проводки``.

A run of Latin tokens is converted only when the converted text is clearly
more Russian: most of its words must be known to the Russian dictionary
(pymorphy3), which English words and product names such as ``excel`` are not.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_EN = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`"
_RU = "йцукенгшщзхъфывапролджэячсмитьбюё"
_TO_RU = str.maketrans(_EN, _RU)
_CANDIDATE = re.compile(r"[a-z\[\];',.`]*[a-z][a-z\[\];',.`]*")
_TRAILING = ".,;"
# Share of a message's convertible words (2+ letters) that must be Russian words.
KNOWN_SHARE = 0.6


def to_russian_layout(token: str) -> str:
    """The letters the same keys give in the Russian layout."""
    return token.translate(_TO_RU)


def fix_layout(text: str, is_known: Callable[[str], bool]) -> str:
    """Convert the Latin words of lowercase ``text`` when that makes it Russian.

    ``is_known`` says whether a Cyrillic word is in the dictionary.
    """
    chunks = text.split(" ")
    converted: dict[int, str] = {}
    scored = known = 0
    for index, chunk in enumerate(chunks):
        core = chunk.rstrip("?!")
        if not _CANDIDATE.fullmatch(core):
            continue
        word = _convert_chunk(core, is_known)
        converted[index] = word + chunk[len(core) :]
        letters = re.sub(r"[^а-яё]", "", word)
        if len(letters) >= 2:
            scored += 1
            known += is_known(letters)
    if not scored or known < KNOWN_SHARE * scored:
        return text
    for index, word in converted.items():
        chunks[index] = word
    return " ".join(chunks)


def _convert_chunk(chunk: str, is_known: Callable[[str], bool]) -> str:
    word = to_russian_layout(chunk)
    if chunk[-1] in _TRAILING and len(chunk) > 2 and not is_known(word):
        shorter = to_russian_layout(chunk[:-1])
        if is_known(shorter):
            return shorter + chunk[-1]
    return word
