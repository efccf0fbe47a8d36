from pathlib import Path

import pytest
from openpyxl import Workbook

from knowledge.errors import SourceError
from knowledge.loader import load

from .conftest import MINI_KB


def test_directory_loads_every_entry() -> None:
    """All entry files of the mini knowledge base load, without problems."""
    result = load(MINI_KB)
    assert len(result.entries) == 10
    assert result.problems == ()


def test_broken_file_is_reported_and_the_others_still_load(kb_dir: Path) -> None:
    """One bad file costs only itself; the problem names it."""
    (kb_dir / "broken.md").write_text("---\nid: broken\n---\n<b>ответ", encoding="utf-8")
    (kb_dir / "latin1.md").write_bytes("---\nid: x\ntitle: é\n---\nà".encode("latin-1"))
    result = load(kb_dir)
    assert len(result.entries) == 10
    sources = sorted(Path(p.source).name for p in result.problems)
    assert sources == ["broken.md", "latin1.md"]


def test_duplicate_id_keeps_the_first_and_reports_the_second(kb_dir: Path) -> None:
    """Two files with one id: the second is refused, naming where the id already is."""
    text = (kb_dir / "add-user.md").read_text(encoding="utf-8")
    (kb_dir / "zz-copy.md").write_text(text, encoding="utf-8")
    result = load(kb_dir)
    assert len(result.entries) == 10
    (problem,) = result.problems
    assert problem.source.endswith("zz-copy.md")
    assert "add-user.md" in problem.reason


def test_readme_is_not_an_entry(kb_dir: Path) -> None:
    """A README beside the entries documents them and is not loaded as one."""
    (kb_dir / "README.md").write_text("# О базе знаний", encoding="utf-8")
    assert load(kb_dir).problems == ()


def test_csv_file_is_a_knowledge_base(tmp_path: Path) -> None:
    """--kb may point at a CSV table directly."""
    table = tmp_path / "faq.csv"
    table.write_text("question,answer\nКак сбросить пароль?,Через администратора\n", "utf-8")
    (entry,) = load(table).entries
    assert entry.title == "Как сбросить пароль?"
    assert entry.id == "kak-sbrosit-parol"


def test_xlsx_file_is_a_knowledge_base(tmp_path: Path) -> None:
    """--kb may point at an XLSX workbook directly."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Вопрос", "Ответ", "Варианты"])
    sheet.append(["Как обновить 1С?", "Через интернет-поддержку", "обновление | новый релиз"])
    book.save(tmp_path / "faq.xlsx")
    (entry,) = load(tmp_path / "faq.xlsx").entries
    assert entry.questions == ("обновление", "новый релиз")


def test_missing_path_is_a_clear_error(tmp_path: Path) -> None:
    """A path that does not exist is named in the error."""
    with pytest.raises(SourceError, match="нет такого файла"):
        load(tmp_path / "nope")


def test_unknown_file_type_is_a_clear_error(tmp_path: Path) -> None:
    """A file of another kind is refused with the kinds that work."""
    (tmp_path / "faq.txt").write_text("x", encoding="utf-8")
    with pytest.raises(SourceError, match=r"каталог, \.md, \.csv или \.xlsx"):
        load(tmp_path / "faq.txt")


def test_table_used_as_a_base_keeps_rows_import_would_refuse(tmp_path: Path) -> None:
    """--kb on a table: plain-text answers with `<`/`&`, free-form ids and categories still load."""
    table = tmp_path / "faq.csv"
    table.write_text(
        "id,question,answer,category\nQ-17,Что такое Q&A?,Вопросы & ответы <коротко>,справка\n",
        "utf-8",
    )
    result = load(table)
    assert result.problems == ()
    (entry,) = result.entries
    assert entry.id == "Q-17"
    assert entry.answer == "Вопросы &amp; ответы &lt;коротко&gt;"
    assert entry.category == "consultation"
