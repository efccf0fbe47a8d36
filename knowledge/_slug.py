"""Entry ids from titles: transliterated, lowercase, hyphenated, unique."""

from __future__ import annotations

import re
from collections.abc import Container

from knowledge.normalize import normalize

_TRANSLIT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
    "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch",
    "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
}  # fmt: skip
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
MAX_WORDS = 6


def slugify(title: str) -> str:
    """``Не закрывается месяц`` → ``ne-zakryvaetsya-mesyats`` (at most six words)."""
    text = "".join(_TRANSLIT.get(ch, ch) for ch in normalize(title))
    words = [w for w in _NOT_SLUG.split(text) if w][:MAX_WORDS]
    return "-".join(words)[:60].strip("-") or "entry"


def unique_id(title: str, taken: Container[str]) -> str:
    """A slug of ``title`` not in ``taken`` (``-2``, ``-3``… appended when needed)."""
    base = slugify(title)
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate
