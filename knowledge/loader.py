"""Loading a knowledge base: a directory of entry files, or a CSV/XLSX table.

A broken entry never hides the good ones: loading collects each problem as an
:class:`~knowledge.errors.EntryError` (file or row, and the reason) beside the
entries that loaded.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from knowledge._table import TABLE_SUFFIXES, read_rows, row_to_entry
from knowledge.entry import Entry, parse_entry
from knowledge.errors import EntryError, SourceError

ENTRY_SUFFIX = ".md"


@dataclass(frozen=True, slots=True)
class LoadResult:
    entries: tuple[Entry, ...]
    problems: tuple[EntryError, ...] = field(default=())


def load(path: Path) -> LoadResult:
    """Entries of a directory (``*.md``, recursively) or of a .csv/.xlsx file."""
    if path.is_dir():
        return load_directory(path)
    if not path.exists():
        raise SourceError(f"{path}: нет такого файла или каталога")
    if path.suffix.lower() in TABLE_SUFFIXES:
        return load_table(path)
    if path.suffix.lower() == ENTRY_SUFFIX:
        return _collect([path])
    raise SourceError(f"{path}: ожидается каталог, .md, .csv или .xlsx")


def entry_files(directory: Path) -> list[Path]:
    """The entry files of ``directory`` (recursively), sorted; README and hidden files skipped."""
    return [Path(p) for p in entry_paths(directory)]


def entry_paths(directory: Path | str) -> list[str]:
    """``entry_files`` as plain strings (cheaper for 10,000 files)."""
    found: list[str] = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found.extend(
            os.path.join(root, name)
            for name in files
            if name.endswith(ENTRY_SUFFIX)
            and not name.startswith((".", "_"))
            and name[: -len(ENTRY_SUFFIX)].upper() != "README"
        )
    found.sort()
    return found


def load_directory(directory: Path) -> LoadResult:
    return _collect(entry_paths(directory))


def load_table(path: Path) -> LoadResult:
    entries: list[Entry] = []
    problems: list[EntryError] = []
    taken: set[str] = set()
    for row in read_rows(path):
        try:
            entries.append(row_to_entry(row, str(path), taken, lenient=True))
        except EntryError as exc:
            problems.append(exc)
    return LoadResult(tuple(entries), tuple(problems))


def _collect(files: Sequence[Path | str]) -> LoadResult:
    entries: list[Entry] = []
    problems: list[EntryError] = []
    seen: dict[str, str] = {}
    for file in files:
        try:
            with open(file, encoding="utf-8") as handle:
                text = handle.read()
            entry = parse_entry(text, str(file))
        except UnicodeDecodeError:
            problems.append(EntryError(str(file), "файл не в кодировке UTF-8"))
            continue
        except EntryError as exc:
            problems.append(exc)
            continue
        if entry.id in seen:
            problems.append(EntryError(str(file), f"id «{entry.id}» уже есть в {seen[entry.id]}"))
            continue
        seen[entry.id] = str(file)
        entries.append(entry)
    return LoadResult(tuple(entries), tuple(problems))
