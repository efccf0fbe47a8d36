from knowledge.analysis import Analyzer
from knowledge.gaps import group_similar


def test_similar_requests_form_one_group_most_frequent_first(analyzer: Analyzer) -> None:
    """Rewordings of one problem are counted together and the biggest group leads."""
    texts = [
        "как загрузить выписку из банка",
        "принтер не печатает",
        "Выписка из банка как загрузить?",
        "загрузить выписку банка",
        "Принтер не печатает!",
        "как загрузить выписку из банка",
    ]
    gaps = group_similar(texts, analyzer)
    assert [(g.leader, g.count) for g in gaps] == [
        ("как загрузить выписку из банка", 4),
        ("принтер не печатает", 2),
    ]
    assert "загрузить выписку банка" in gaps[0].examples


def test_different_problems_stay_apart(analyzer: Analyzer) -> None:
    """Sharing one word (`ошибка`) does not merge unrelated requests."""
    gaps = group_similar(["ошибка при печати счета", "ошибка обмена с сайтом"], analyzer)
    assert len(gaps) == 2


def test_blank_lines_are_ignored(analyzer: Analyzer) -> None:
    """Empty texts are not a gap."""
    assert group_similar(["", "  ", "\n"], analyzer) == []
