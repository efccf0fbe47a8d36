"""The shipped knowledge base and its development set: a guard against regressions.

Floors sit well below the measured figures (knowledge/README.md), so new
entries or queries do not break the build, but a broken matcher does.
"""

from pathlib import Path

import pytest

from knowledge.base import KnowledgeBase
from knowledge.evaluate import evaluate, read_cases
from knowledge.morph import Lemmatizer

ROOT = Path(__file__).resolve().parents[2]
STARTER = ROOT / "knowledge" / "faq"
DEV_SET = ROOT / "tests" / "knowledge" / "data" / "dev_set.csv"


@pytest.fixture(scope="module")
def starter(lemmatizer: Lemmatizer) -> KnowledgeBase:
    if not STARTER.is_dir() or not DEV_SET.is_file():
        pytest.skip("starter knowledge base or dev set not present")
    return KnowledgeBase(STARTER, lemmatizer=lemmatizer)


def test_every_starter_entry_loads(starter: KnowledgeBase) -> None:
    """Each shipped entry file is valid (format, Telegram HTML, unique id)."""
    assert [str(p) for p in starter.problems] == []
    assert len(starter.entries) >= 60


def test_dev_set_quality_stays_above_its_floor(starter: KnowledgeBase) -> None:
    """The right answer is usually first, nearly always in the first three,
    and most out-of-FAQ questions get no confident suggestion."""
    cases, problems = read_cases(DEV_SET, starter.entries)
    assert problems == []
    report = evaluate(lambda q: [(s.entry.id, s.confident) for s in starter.suggest(q, 10)], cases)
    assert report.top1 >= 0.8
    assert report.top3 >= 0.9
    assert report.coverage >= 0.6
    assert report.false_suggestion_rate <= 0.35
