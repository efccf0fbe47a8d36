"""The text pipeline shared by entries and queries.

normalise → fix the keyboard layout → expand abbreviations → lemmas. The
surface form feeds the character n-gram index, the terms feed BM25.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.layout import fix_layout
from knowledge.morph import Lemmatizer
from knowledge.normalize import normalize
from knowledge.synonyms import expand

_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True, slots=True)
class Analysis:
    surface: str  # normalised text with abbreviations expanded
    terms: tuple[str, ...]  # lemmas, function words dropped, ``не_<lemma>`` kept


class Analyzer:
    def __init__(self, lemmatizer: Lemmatizer) -> None:
        self.lemmatizer = lemmatizer

    def analyze(self, text: str) -> Analysis:
        """Analysis of what a user typed (the keyboard layout is checked)."""
        surface = expand(fix_layout(normalize(text), self.lemmatizer.is_known))
        return Analysis(surface, tuple(self.lemmatizer.terms(surface)))

    def analyze_authored(self, text: str) -> Analysis:
        """Analysis of entry text, written with care: no keyboard-layout guessing."""
        surface = expand(normalize(text))
        return Analysis(surface, tuple(self.lemmatizer.terms(surface)))

    def answer_terms(self, text: str) -> list[str]:
        """Distinct terms of an answer body: a lighter pipeline for long authored text."""
        plain = _TAG.sub(" ", text).lower().replace("ё", "е")
        return self.lemmatizer.distinct_terms(plain)
