"""The text pipeline shared by entries and queries.

normalise → fix the keyboard layout → expand abbreviations → lemmas. The
surface form feeds the character n-gram index, the terms feed BM25.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TypeVar

from knowledge._layout import fix_layout
from knowledge._synonyms import expand
from knowledge.morph import Lemmatizer
from knowledge.normalize import normalize

_TAG = re.compile(r"<[^>]+>")
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Analysis:
    surface: str  # normalised text with abbreviations expanded
    terms: tuple[str, ...]  # lemmas, function words dropped, ``не_<lemma>`` kept


_CACHE_LIMIT = 200_000  # texts; past it the caches start over


class Analyzer:
    """Analyses texts; entry texts are cached, so a hot reload re-analyses only what changed."""

    def __init__(self, lemmatizer: Lemmatizer) -> None:
        self.lemmatizer = lemmatizer
        self._authored: dict[str, Analysis] = {}
        self._answers: dict[str, tuple[str, ...]] = {}

    def analyze(self, text: str) -> Analysis:
        """Analysis of what a user typed (the keyboard layout is checked)."""
        surface = expand(fix_layout(normalize(text), self.lemmatizer.is_known))
        return Analysis(surface, tuple(self.lemmatizer.terms(surface)))

    def analyze_authored(self, text: str) -> Analysis:
        """Analysis of entry text, written with care: no keyboard-layout guessing."""
        found = self._authored.get(text)
        if found is None:
            surface = expand(normalize(text))
            found = Analysis(surface, tuple(self.lemmatizer.terms(surface)))
            _remember(self._authored, text, found)
        return found

    def answer_terms(self, text: str) -> tuple[str, ...]:
        """Distinct terms of an answer body: a lighter pipeline for long authored text."""
        found = self._answers.get(text)
        if found is None:
            plain = _TAG.sub(" ", text).lower().replace("ё", "е")
            found = tuple(self.lemmatizer.distinct_terms(plain))
            _remember(self._answers, text, found)
        return found


def _remember(cache: dict[str, _T], text: str, value: _T) -> None:
    if len(cache) >= _CACHE_LIMIT:
        cache.clear()
    cache[text] = value
