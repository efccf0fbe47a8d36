"""The text pipeline shared by entries and queries.

normalise → fix the keyboard layout → expand abbreviations → lemmas. The
surface form feeds the character n-gram index, the terms feed BM25.
"""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.layout import fix_layout
from knowledge.morph import Lemmatizer
from knowledge.normalize import normalize
from knowledge.synonyms import expand


@dataclass(frozen=True, slots=True)
class Analysis:
    surface: str  # normalised text with abbreviations expanded
    terms: tuple[str, ...]  # lemmas, function words dropped, ``не_<lemma>`` kept


class Analyzer:
    def __init__(self, lemmatizer: Lemmatizer) -> None:
        self.lemmatizer = lemmatizer

    def analyze(self, text: str) -> Analysis:
        surface = expand(fix_layout(normalize(text), self.lemmatizer.is_known))
        return Analysis(surface, tuple(self.lemmatizer.terms(surface)))
