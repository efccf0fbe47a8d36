"""Features of analysed text: character n-grams of words and lemma counts."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

_WORD = re.compile(r"\w+")
NGRAM_SIZES = (3, 4, 5)


class CharNgrams:
    """Character n-grams of space-padded words (``char_wb``), cached per word."""

    def __init__(self, sizes: tuple[int, ...] = NGRAM_SIZES) -> None:
        self.sizes = sizes
        self._cache: dict[str, tuple[str, ...]] = {}

    def __call__(self, surface: str) -> Counter[str]:
        grams: Counter[str] = Counter()
        for word in _WORD.findall(surface):
            cached = self._cache.get(word)
            if cached is None:
                cached = self._word_grams(word)
                if len(self._cache) < 300_000:
                    self._cache[word] = cached
            grams.update(cached)
        return grams

    def _word_grams(self, word: str) -> tuple[str, ...]:
        padded = f" {word} "
        grams: list[str] = []
        for n in self.sizes:
            if len(padded) < n:
                if n == self.sizes[0]:
                    grams.append(padded)
                break
            grams.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
        return tuple(grams)


def term_counts(terms: Iterable[str]) -> Counter[str]:
    return Counter(terms)
