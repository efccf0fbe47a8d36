"""Entries from a table: CSV (UTF-8 with or without BOM, comma or semicolon) or XLSX.

Columns (English or Russian headers, any case): ``question``/``вопрос`` and
``answer``/``ответ`` are required; ``id``/``ид``, ``variants``/``варианты``
(one per line or separated by ``|``), ``tags``/``теги`` (comma, ``;`` or
``|`` separated), ``title``/``заголовок``, ``category``/``категория``,
``products``/``продукты`` are optional.
"""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from knowledge._html import html_problem
from knowledge._slug import unique_id
from knowledge.entry import CATEGORIES, DEFAULT_CATEGORY, Entry, validate_entry
from knowledge.errors import EntryError, SourceError

HEADERS = {
    "question": "question", "вопрос": "question", "questions": "question",
    "answer": "answer", "ответ": "answer",
    "id": "id", "ид": "id", "идентификатор": "id",
    "variants": "variants", "варианты": "variants",
    "tags": "tags", "теги": "tags",
    "title": "title", "заголовок": "title",
    "category": "category", "категория": "category",
    "products": "products", "продукты": "products",
}  # fmt: skip
TABLE_SUFFIXES = frozenset({".csv", ".xlsx"})
_VARIANT_SPLIT = re.compile(r"\s*(?:\||\r?\n)\s*")
_LIST_SPLIT = re.compile(r"\s*[,;|\n]\s*")


@dataclass(frozen=True, slots=True)
class Row:
    number: int  # 1-based row number as a spreadsheet shows it (the header is row 1)
    fields: dict[str, str]


def read_rows(path: Path) -> list[Row]:
    """The data rows of a CSV/XLSX file with headers mapped to canonical names."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        raw = _csv_rows(path)
    elif suffix == ".xlsx":
        raw = _xlsx_rows(path)
    else:
        raise SourceError(f"{path}: ожидается .csv или .xlsx, а не «{suffix}»")
    header = next(raw, None)
    if header is None:
        raise SourceError(f"{path}: файл пуст")
    columns = [HEADERS.get(cell.strip().lower().lstrip("\ufeff")) for cell in header]
    missing = [name for name in ("question", "answer") if name not in columns]
    if missing:
        found = ", ".join(cell for cell in header if cell) or "нет"
        raise SourceError(
            f"{path}: нет столбцов {', '.join(missing)} (вопрос/ответ); найдены: {found}"
        )
    rows: list[Row] = []
    for number, cells in enumerate(raw, start=2):
        fields = {
            name: cell.strip()
            for name, cell in zip(columns, cells, strict=False)
            if name is not None and cell
        }
        if any(fields.values()):
            rows.append(Row(number, fields))
    return rows


def row_to_entry(row: Row, source: str, taken: set[str], *, lenient: bool = False) -> Entry:
    """Entry of one row; ``taken`` ids are avoided and the new id is added to it.

    ``lenient`` is for using a table as a knowledge base in place (``--kb``):
    an answer that is not valid Telegram HTML is taken as plain text (escaped),
    ids are kept as written, an unknown category becomes the default. Import
    (which writes files) is strict and reports such rows instead.
    """
    where = f"{source}, строка {row.number}"
    question = row.fields.get("question", "")
    answer = row.fields.get("answer", "")
    if not question:
        raise EntryError(where, "пустой вопрос")
    if not answer:
        raise EntryError(where, "пустой ответ")
    title = row.fields.get("title") or question
    entry_id = row.fields.get("id", "").strip()
    if entry_id and entry_id in taken:
        raise EntryError(where, f"id «{entry_id}» уже занят (выше в таблице или в каталоге)")
    if not entry_id:
        entry_id = unique_id(title, taken)
    variants = [question, *_split(_VARIANT_SPLIT, row.fields.get("variants", ""))]
    category = row.fields.get("category") or DEFAULT_CATEGORY
    if lenient:
        answer = answer if html_problem(answer) is None else html.escape(answer, quote=False)
        category = category if category in CATEGORIES else DEFAULT_CATEGORY
    entry = Entry(
        id=entry_id,
        title=title,
        answer=answer,
        questions=tuple(dict.fromkeys(v for v in variants if v != title)),
        tags=tuple(_split(_LIST_SPLIT, row.fields.get("tags", ""))),
        products=tuple(_split(_LIST_SPLIT, row.fields.get("products", ""))),
        category=category,
        source=where,
    )
    if not lenient:
        validate_entry(entry)
    taken.add(entry.id)
    return entry


def _split(pattern: re.Pattern[str], text: str) -> list[str]:
    return [part for part in pattern.split(text.strip()) if part]


def _csv_rows(path: Path) -> Iterator[list[str]]:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(f"{path}: не UTF-8 (байт {exc.start}); сохраните как CSV UTF-8") from None
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _xlsx_rows(path: Path) -> Iterator[list[str]]:
    import openpyxl  # imported here: only XLSX sources need it

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise SourceError(f"{path}: не читается как XLSX: {exc}") from None
    try:
        for values in book.worksheets[0].iter_rows(values_only=True):
            yield ["" if value is None else str(value) for value in values]
    finally:
        book.close()
