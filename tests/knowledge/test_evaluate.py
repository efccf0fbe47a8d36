from pathlib import Path

import pytest

from knowledge.base import KnowledgeBase
from knowledge.errors import SourceError
from knowledge.evaluate import Case, evaluate, read_cases


def test_cases_accept_ids_question_texts_and_empty(tmp_path: Path, mini_kb: KnowledgeBase) -> None:
    """`expected` may be an id, one of an entry's questions, or empty (out of FAQ)."""
    cases_csv = tmp_path / "cases.csv"
    cases_csv.write_text(
        "query,expected\n"
        "забыл пароль,forgot-password\n"
        "печать упд,  печать упд из РЕАЛИЗАЦИИ \n"
        "погода завтра,\n"
        "что-то,no-such-entry\n",
        encoding="utf-8",
    )
    cases, problems = read_cases(cases_csv, mini_kb.entries)
    assert [c.expected for c in cases] == ["forgot-password", "upd-print", None, "no-such-entry"]
    assert len(problems) == 1
    assert "строка 5" in problems[0]


def test_cases_without_needed_columns_are_refused(tmp_path: Path, mini_kb: KnowledgeBase) -> None:
    """A cases file without query/expected columns is a clear error."""
    cases_csv = tmp_path / "cases.csv"
    cases_csv.write_text("вопрос,ответ\nа,б\n", encoding="utf-8")
    with pytest.raises(SourceError, match="query и expected"):
        read_cases(cases_csv, mini_kb.entries)


def test_figures_count_ranks_coverage_and_false_suggestions() -> None:
    """top-1/top-3/MRR count ranks; coverage and false suggestions count confident ones."""
    answers = {
        "q1": [("a", True), ("b", False)],  # right, first, confident
        "q2": [("b", False), ("c", False), ("a", False)],  # right at rank 3, not confident
        "q3": [("c", True)],  # wrong
        "q4": [("a", True)],  # out of FAQ, confidently suggested: a false suggestion
        "q5": [],  # out of FAQ, nothing shown
    }
    cases = [Case("q1", "a"), Case("q2", "a"), Case("q3", "a"), Case("q4", None), Case("q5", None)]
    report = evaluate(lambda q: answers[q], cases)
    assert report.n == 5
    assert report.top1 == pytest.approx(1 / 3)
    assert report.top3 == pytest.approx(2 / 3)
    assert report.mrr == pytest.approx((1 + 1 / 3) / 3)
    assert report.coverage == pytest.approx(2 / 3)
    assert report.false_suggestion_rate == pytest.approx(1 / 2)
    # what a user sees: q1 is shown the right entry; q3 and q4 are shown a wrong one
    assert report.answered == pytest.approx(1 / 3)
    assert report.shown_precision == pytest.approx(1 / 3)
    assert set(report.figures()) == {
        "n", "top1", "top3", "mrr", "false_suggestion_rate", "coverage", "p50_ms", "p99_ms",
        "answered", "shown_precision",
    }  # fmt: skip
