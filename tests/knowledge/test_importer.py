from pathlib import Path

import pytest
from openpyxl import Workbook

from knowledge.errors import SourceError
from knowledge.importer import import_table
from knowledge.loader import load


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_comma_csv_rows_become_entry_files(tmp_path: Path) -> None:
    """Each row is one entry file with its variants and tags."""
    table = write(
        tmp_path / "faq.csv",
        "id,question,answer,variants,tags\n"
        'reset,Как сбросить пароль,Через админа,"забыл пароль|не помню пароль","доступ, пароль"\n',
    )
    result = import_table(table, tmp_path / "kb")
    assert [p.name for p in result.written] == ["reset.md"]
    (entry,) = load(tmp_path / "kb").entries
    assert entry.questions == ("забыл пароль", "не помню пароль")
    assert entry.tags == ("доступ", "пароль")


def test_semicolon_csv_with_bom_and_russian_headers(tmp_path: Path) -> None:
    """Excel's «CSV UTF-8» (BOM, semicolons, Russian headers) imports as well."""
    table = write(
        tmp_path / "faq.csv",
        "Вопрос;Ответ;Варианты;Теги\n"
        'Как обновить 1С;Через интернет-поддержку;"обновление\nновый релиз";обновление\n',
        "utf-8-sig",
    )
    result = import_table(table, tmp_path / "kb")
    assert result.problems == ()
    (entry,) = load(tmp_path / "kb").entries
    assert entry.title == "Как обновить 1С"
    assert entry.questions == ("обновление", "новый релиз")


def test_bad_rows_are_reported_by_number_and_good_rows_are_written(tmp_path: Path) -> None:
    """Empty question, empty answer, broken HTML and a repeated id each name their row."""
    table = write(
        tmp_path / "faq.csv",
        "id,question,answer\n"
        "a,Первый вопрос,Ответ\n"
        "b,,Ответ без вопроса\n"
        "c,Вопрос без ответа,\n"
        "d,Вопрос,<b>незакрытый\n"
        "a,Повтор id,Ответ\n"
        "BAD ID,Плохой id,Ответ\n"
        "e,Последний вопрос,Ответ\n",
    )
    result = import_table(table, tmp_path / "kb")
    assert sorted(p.name for p in result.written) == ["a.md", "e.md"]
    reasons = {p.source.rsplit(" ", 1)[1]: p.reason for p in result.problems}
    assert sorted(reasons) == ["3", "4", "5", "6", "7"]
    assert "пустой вопрос" in reasons["3"]
    assert "пустой ответ" in reasons["4"]
    assert "не закрыт" in reasons["5"]
    assert "уже занят" in reasons["6"]
    assert "id «BAD ID»" in reasons["7"]


def test_existing_entries_are_never_overwritten(tmp_path: Path) -> None:
    """Importing into a filled directory keeps its files; a new row gets a fresh id."""
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "kak-obnovit.md").write_text("---\nid: kak-obnovit\ntitle: t\n---\nстарый", "utf-8")
    table = write(tmp_path / "faq.csv", "question,answer\nКак обновить,новый\n")
    (written,) = import_table(table, kb).written
    assert written.name == "kak-obnovit-2.md"
    assert "старый" in (kb / "kak-obnovit.md").read_text("utf-8")


def test_xlsx_imports(tmp_path: Path) -> None:
    """An XLSX workbook's first sheet imports like a CSV."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["question", "answer", "id"])
    sheet.append(["Как распечатать УПД", "Печать → УПД", "upd"])
    sheet.append([None, None, None])
    sheet.append(["Без ответа", None, None])
    book.save(tmp_path / "faq.xlsx")
    result = import_table(tmp_path / "faq.xlsx", tmp_path / "kb")
    assert [p.name for p in result.written] == ["upd.md"]
    (problem,) = result.problems
    assert problem.source.endswith("строка 4")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("faq.csv", "вопрос,что-то\nа,б\n", "нет столбцов answer"),
        ("faq.csv", "", "файл пуст"),
        ("faq.txt", "question,answer\n", "ожидается .csv или .xlsx"),
        ("faq.xlsx", "not a zip", "не читается как XLSX"),
    ],
)
def test_unreadable_table_is_refused_before_writing(
    tmp_path: Path, name: str, content: str, message: str
) -> None:
    """A table without the needed columns or in a wrong format writes nothing."""
    table = write(tmp_path / name, content)
    with pytest.raises(SourceError, match=message):
        import_table(table, tmp_path / "kb")
    assert not (tmp_path / "kb").exists()


def test_non_utf8_csv_is_refused(tmp_path: Path) -> None:
    """A CSV saved in Windows-1251 is refused with advice, not read as garbage."""
    table = write(tmp_path / "faq.csv", "вопрос,ответ\nа,б\n", "cp1251")
    with pytest.raises(SourceError, match="не UTF-8"):
        import_table(table, tmp_path / "kb")
