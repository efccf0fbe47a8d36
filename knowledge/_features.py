"""Turning analysed text into term ids: character n-grams of words, and lemmas.

A :class:`Vocabulary` hands out ids while an index is built and is frozen
afterwards: a query's unknown features get no id, only a count (they still
weigh in the query's norm, so an unrelated question scores low).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np

from knowledge._inverted import IntArray

_WORD = re.compile(r"\w+")
NGRAM_SIZES = (3, 4)
_CACHE_LIMIT = 300_000


class Vocabulary:
    def __init__(self) -> None:
        self.ids: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self.ids)

    def add(self, terms: Iterable[str]) -> IntArray:
        """Ids of ``terms`` (repeats kept), new terms numbered on first sight."""
        ids = self.ids
        out: list[int] = []
        for term in terms:
            found = ids.get(term)
            if found is None:
                found = ids[term] = len(ids)
            out.append(found)
        return np.array(out, dtype=np.int32)

    def lookup(self, terms: Iterable[str]) -> tuple[IntArray, int]:
        """Ids of the known terms (repeats kept) and the number of unknown ones."""
        known: list[int] = []
        unknown = 0
        for term in terms:
            found = self.ids.get(term)
            if found is None:
                unknown += 1
            else:
                known.append(found)
        return np.asarray(known, dtype=np.int32), unknown


class CharNgrams:
    """Character 3- and 4-grams of space-padded words (``char_wb``), cached per word."""

    def __init__(self, sizes: tuple[int, ...] = NGRAM_SIZES) -> None:
        self.sizes = sizes
        self.vocabulary = Vocabulary()
        self._doc_cache: dict[str, IntArray] = {}
        self._query_cache: dict[str, tuple[IntArray, int]] = {}

    def document(self, surface: str) -> IntArray:
        """Gram ids of an indexed text, adding new grams to the vocabulary."""
        parts: list[IntArray] = []
        for word in _WORD.findall(surface):
            ids = self._doc_cache.get(word)
            if ids is None:
                ids = self.vocabulary.add(word_grams(word, self.sizes))
                if len(self._doc_cache) < _CACHE_LIMIT:
                    self._doc_cache[word] = ids
            parts.append(ids)
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)

    def query(self, surface: str) -> tuple[IntArray, int]:
        """Known gram ids of a query (repeats kept) and the count of unknown grams."""
        parts: list[IntArray] = []
        unknown = 0
        for word in _WORD.findall(surface):
            cached = self._query_cache.get(word)
            if cached is None:
                cached = self.vocabulary.lookup(word_grams(word, self.sizes))
                if len(self._query_cache) < _CACHE_LIMIT:
                    self._query_cache[word] = cached
            parts.append(cached[0])
            unknown += cached[1]
        ids = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int32)
        return ids, unknown

    def freeze(self) -> None:
        self._doc_cache.clear()


def word_grams(word: str, sizes: tuple[int, ...]) -> list[str]:
    padded = f" {word} "
    grams: list[str] = []
    for n in sizes:
        if len(padded) < n:
            if n == sizes[0]:
                grams.append(padded)
            break
        grams.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
    return grams
