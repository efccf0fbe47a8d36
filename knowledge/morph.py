"""Lemmas with pymorphy3, cached, with negations kept.

``не проводит`` gives ``не_проводить`` *and* ``проводить``: the negated form
tells "does not post" from "posts", the bare lemma still meets a paraphrase.
Function words (prepositions, conjunctions, particles, interjections,
pronouns) and a few filler words are dropped. Reflexive verbs are folded
onto their base (``проводиться`` → ``проводить``).
"""

from __future__ import annotations

import re
from functools import lru_cache

import pymorphy3

_WORD = re.compile(r"[а-яa-z0-9]+")
_NEGATIONS = frozenset({"не", "ни", "нет", "нельзя"})
_DROP_POS = frozenset({"PREP", "CONJ", "PRCL", "INTJ", "NPRO"})
_VERBAL = frozenset({"VERB", "INFN", "PRTF", "PRTS", "GRND"})
_FILLER = frozenset(
    {
        "быть", "весь", "это", "этот", "тот", "такой", "какой", "который", "свой",
        "мочь", "нужно", "надо", "можно", "пожалуйста", "здравствовать", "добрый",
        "день", "подсказать", "сказать", "помочь", "спасибо", "очень", "просто",
        "вообще", "почему", "зачем", "где", "куда", "когда", "сейчас", "опять",
        "снова", "уже", "еще", "также", "тоже", "вот", "там", "тут", "здесь",
    }
)  # fmt: skip
NEGATION_PREFIX = "не_"
# pymorphy3's first guess is a rare word for a few 1C terms.
_LEMMA_FIXES = {"проводок": "проводка", "ос": "ос"}


class Lemmatizer:
    """Turns normalised text into index terms. Build once: the dictionary takes ~0.3 s."""

    def __init__(self) -> None:
        self._morph = pymorphy3.MorphAnalyzer()
        self._cache: dict[str, tuple[str, bool]] = {}
        self._known: dict[str, bool] = {}

    def is_known(self, word: str) -> bool:
        """Whether ``word`` is a word of the Russian dictionary."""
        known = self._known.get(word)
        if known is None:
            known = bool(self._morph.word_is_known(word))
            if len(self._known) < 200_000:
                self._known[word] = known
        return known

    def terms(self, text: str) -> list[str]:
        """Index terms of normalised ``text``: content lemmas plus ``не_<lemma>`` pairs."""
        terms: list[str] = []
        negate = False
        cache = self._cache
        for word in _WORD.findall(text):
            if word in _NEGATIONS:
                negate = True
                continue
            lemma, content = cache.get(word) or self._lemma(word)
            if not content:
                continue
            if negate:
                terms.append(NEGATION_PREFIX + lemma)
                negate = False
            terms.append(lemma)
        return terms

    def distinct_terms(self, text: str) -> list[str]:
        """Distinct content lemmas of ``text``, in order; faster than ``terms``, no negations."""
        cache = self._cache
        seen: dict[str, None] = {}
        for word in dict.fromkeys(_WORD.findall(text)):
            if word in _NEGATIONS:
                continue
            lemma, content = cache.get(word) or self._lemma(word)
            if content:
                seen[lemma] = None
        return list(seen)

    def _lemma(self, word: str) -> tuple[str, bool]:
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        result = _analyse(self._morph, word)
        if len(self._cache) < 500_000:
            self._cache[word] = result
        return result


def _analyse(morph: pymorphy3.MorphAnalyzer, word: str) -> tuple[str, bool]:
    if not word.isalpha() or word.isascii():
        return word, True
    if not morph.word_is_known(word):
        # Guessing forms of unknown words (typos, names) costs ~1 ms each; the
        # character n-grams already match them, so they stay as typed.
        return word, True
    parse = morph.parse(word)[0]
    pos = parse.tag.POS
    lemma: str = parse.normal_form.replace("ё", "е")
    lemma = _LEMMA_FIXES.get(lemma, lemma)
    if pos in _DROP_POS or lemma in _FILLER:
        return lemma, False
    if pos in _VERBAL and lemma.endswith(("ся", "сь")) and len(lemma) > 4:
        base = lemma[:-2]
        if morph.word_is_known(base):
            lemma = base
    return lemma, True


@lru_cache(maxsize=1)
def default_lemmatizer() -> Lemmatizer:
    """One shared Lemmatizer per process (its dictionary is read-only)."""
    return Lemmatizer()
