"""Learning from use: an entry users keep rejecting for a kind of question is held back
for questions like those, and only for them (the real engine, words and meaning)."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.base import KnowledgeBase
from knowledge.embedding import LocalE5
from knowledge.morph import Lemmatizer
from tests.knowledge.conftest import MINI_KB

ASKED = "не закрывается месяц ошибка себестоимости"
LIKE_IT = "ошибка себестоимости при закрытии месяца"
REJECTED_FOR = [
    ("не закрывается месяц, ошибка себестоимости", "close-month"),
    ("ошибка себестоимости, месяц не закрывается", "close-month"),
]


def _shown(kb: KnowledgeBase, text: str) -> list[str]:
    return [s.entry.id for s in kb.confident(text)]


@pytest.fixture
def kb(lemmatizer: Lemmatizer) -> KnowledgeBase:
    return KnowledgeBase(MINI_KB, lemmatizer=lemmatizer)


def test_an_entry_rejected_twice_for_similar_questions_is_not_shown_for_a_third(
    kb: KnowledgeBase,
) -> None:
    assert _shown(kb, LIKE_IT)[:1] == ["close-month"]
    kb.set_feedback(REJECTED_FOR, [])
    assert "close-month" not in _shown(kb, LIKE_IT)
    demoted = next(s for s in kb.suggest(LIKE_IT, 10) if s.entry.id == "close-month")
    assert not demoted.confident


def test_one_rejection_is_not_enough(kb: KnowledgeBase) -> None:
    kb.add_feedback(REJECTED_FOR[0][0], "close-month", helped=False)
    assert _shown(kb, LIKE_IT)[:1] == ["close-month"]


def test_the_entry_is_still_shown_for_other_kinds_of_question(kb: KnowledgeBase) -> None:
    """Rejections for negative stock say nothing about «себестоимость не рассчитывается»."""
    other = "себестоимость не рассчитывается"
    before = _shown(kb, other)
    assert "close-month" in before
    kb.set_feedback(
        [
            ("месяц не закрывается из-за отрицательных остатков на складе", "close-month"),
            ("отрицательные остатки не дают закрыть месяц", "close-month"),
        ],
        [],
    )
    assert _shown(kb, other) == before


def test_helps_among_close_queries_outweigh_rejections(kb: KnowledgeBase) -> None:
    """Two rejections and two helps for the same kind of query: the entry stays."""
    kb.set_feedback(REJECTED_FOR, [(ASKED, "close-month"), (LIKE_IT, "close-month")])
    assert _shown(kb, LIKE_IT)[:1] == ["close-month"]


def test_presses_add_up_as_they_happen_and_a_refresh_replaces_them(kb: KnowledgeBase) -> None:
    for query, entry_id in REJECTED_FOR:
        kb.add_feedback(query, entry_id, helped=False)
    assert "close-month" not in _shown(kb, LIKE_IT)
    kb.set_feedback([], [])
    assert _shown(kb, LIKE_IT)[:1] == ["close-month"]


@pytest.mark.slow
def test_with_meaning_a_paraphrase_in_other_words_is_close_too(
    lemmatizer: Lemmatizer, tmp_path: Path
) -> None:
    """Rejections worded differently from the query still count when their meaning is
    the same (the query's vector against the rejected queries' vectors)."""
    rejections = [
        ("закрытие месяца выдает ошибку в расчете себестоимости", "close-month"),
        ("при закрытии периода ругается на себестоимость", "close-month"),
    ]
    query = "не получается закрыть месяц, пишет ошибку по себестоимости"
    words = KnowledgeBase(MINI_KB, lemmatizer=lemmatizer)
    before = words.suggest(query, 1)
    words.set_feedback(rejections, [])
    assert words.suggest(query, 1) == before  # in words alone these are not alike
    kb = KnowledgeBase(MINI_KB, lemmatizer=lemmatizer, embedder=LocalE5(), vector_dir=tmp_path)
    assert _shown(kb, query)[:1] == ["close-month"]
    kb.set_feedback(rejections, [])
    assert "close-month" not in _shown(kb, query)
    assert _shown(kb, "не проводится документ")  # other questions are untouched
