"""KnowledgeBase: suggestions a user would get, and hot reload."""

import os
from pathlib import Path

import pytest

from knowledge.base import KnowledgeBase
from knowledge.entry import Entry
from knowledge.morph import Lemmatizer
from knowledge.writer import save_entry


def top(kb: KnowledgeBase, text: str) -> str | None:
    suggestions = kb.suggest(text)
    return suggestions[0].entry.id if suggestions else None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("у меня реализация не проводится, ошибка", "document-not-posting"),
        ("провел документ а проводок нету", "no-postings"),
        ("ytn ghjdjlrb", "no-postings"),
        ("не могу закрыть месяц, себестоимость не считается", "close-month"),
        ("забыла пароль", "forgot-password"),
        ("где осв по счету 60", "osv-report"),
        ("как напечатать универсальный передаточный", "upd-print"),
        ("упд распечатать", "upd-print"),
        ("вход запрещен база заблокирована что делать", "base-locked"),
        ("утм егаис не отвечает", "egais-utm"),
        ("обновить 1C до последнего релиза", "update-config"),
        ("создайте пользователя новому бухгалтеру", "add-user"),
    ],
)
def test_paraphrases_find_their_entry_first(
    mini_kb: KnowledgeBase, query: str, expected: str
) -> None:
    """Paraphrases, abbreviations, wrong layout and Latin `1C` rank the right entry first."""
    assert top(mini_kb, query) == expected


def test_negation_separates_not_posting_from_no_postings(mini_kb: KnowledgeBase) -> None:
    """`документ не проводится` and `документ проведен, проводок нет` are different answers."""
    assert top(mini_kb, "документ не проводится") == "document-not-posting"
    assert top(mini_kb, "документ проведен, но нет проводок") == "no-postings"


def test_right_answer_is_confident(mini_kb: KnowledgeBase) -> None:
    """A clear in-FAQ question gets a confident first suggestion."""
    first = mini_kb.suggest("забыл пароль, не могу войти в 1с")[0]
    assert first.entry.id == "forgot-password"
    assert first.confident


@pytest.mark.parametrize(
    "query",
    [
        "сколько стоит ваше сопровождение на год",
        "принтер зажевал бумагу",
        "как в экселе сделать сводную таблицу",
        "привет",
        "",
        "   ",
        "!!!",
    ],
)
def test_out_of_faq_question_gets_no_confident_suggestion(
    mini_kb: KnowledgeBase, query: str
) -> None:
    """An unrelated question goes straight to registration."""
    assert mini_kb.confident(query) == []


def test_limit_caps_the_number_of_suggestions(mini_kb: KnowledgeBase) -> None:
    """At most `limit` suggestions, best first, one per entry."""
    suggestions = mini_kb.suggest("документ не проводится ошибка проводки", limit=2)
    assert len(suggestions) <= 2
    assert [s.score for s in suggestions] == sorted((s.score for s in suggestions), reverse=True)
    three = mini_kb.suggest("документ ошибка проводки пароль", limit=3)
    assert len({s.entry.id for s in three}) == len(three)


def test_get_returns_entry_by_id(mini_kb: KnowledgeBase) -> None:
    """Entries are found by id (the bot stores ids of shown suggestions)."""
    entry = mini_kb.get("add-user")
    assert entry is not None
    assert entry.category == "access"
    assert mini_kb.get("missing") is None


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


NEW = Entry(
    id="",
    title="Как загрузить банковскую выписку",
    questions=("Выписка из клиент-банка не загружается",),
    answer="Банк и касса → Банковские выписки → Загрузить.",
)


def test_saved_entry_is_suggested_without_restart(kb_dir: Path, lemmatizer: Lemmatizer) -> None:
    """An entry saved by /faq is live on the next suggest after the check interval."""
    clock = FakeClock()
    kb = KnowledgeBase(kb_dir, lemmatizer=lemmatizer, clock=clock)
    assert top(kb, "не загружается выписка из банка") != "kak-zagruzit-bankovskuyu-vypisku"
    path = save_entry(kb_dir, NEW)
    clock.now += 0.5
    assert top(kb, "не загружается выписка из банка") != path.stem  # checked at most once a second
    clock.now += 1.0
    assert top(kb, "не загружается выписка из банка") == path.stem


def test_edited_file_is_reloaded(kb_dir: Path, lemmatizer: Lemmatizer) -> None:
    """Editing an entry in place is picked up by reload_if_changed."""
    kb = KnowledgeBase(kb_dir, lemmatizer=lemmatizer)
    assert kb.reload_if_changed() is False
    path = kb_dir / "add-user.md"
    text = path.read_text(encoding="utf-8").replace("Как добавить нового", "Как завести нового")
    path.write_text(text, encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert kb.reload_if_changed() is True
    entry = kb.get("add-user")
    assert entry is not None
    assert entry.title == "Как завести нового пользователя"


def test_reload_matches_the_new_wording_of_an_edited_entry(
    kb_dir: Path, lemmatizer: Lemmatizer
) -> None:
    """Analyses of unchanged texts are reused on reload; an edited title is analysed anew."""
    kb = KnowledgeBase(kb_dir, lemmatizer=lemmatizer)
    query = "как оформить кладовщика"
    assert top(kb, query) != "add-user"
    path = kb_dir / "add-user.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Как добавить нового пользователя", query), encoding="utf-8")
    assert kb.reload() is True
    assert top(kb, query) == "add-user"


def test_broken_edit_keeps_the_other_entries_live(kb_dir: Path, lemmatizer: Lemmatizer) -> None:
    """A file broken by an edit is reported; every other entry still answers."""
    kb = KnowledgeBase(kb_dir, lemmatizer=lemmatizer)
    (kb_dir / "add-user.md").write_text("---\nid: add-user\n", encoding="utf-8")
    kb.reload()
    assert kb.get("add-user") is None
    assert [Path(p.source).name for p in kb.problems] == ["add-user.md"]
    assert top(kb, "забыл пароль") == "forgot-password"


def test_vanished_directory_keeps_the_last_good_version(
    tmp_path: Path, lemmatizer: Lemmatizer
) -> None:
    """If the source disappears, suggestions go on from memory and the error is kept."""
    table = tmp_path / "faq.csv"
    table.write_text("question,answer\nКак сбросить пароль,Через администратора\n", "utf-8")
    kb = KnowledgeBase(table, lemmatizer=lemmatizer)
    table.unlink()
    assert kb.reload() is False
    assert kb.last_error is not None
    assert top(kb, "сбросить пароль") == "kak-sbrosit-parol"
