"""``supportdesk faq import``: a CSV/XLSX table into entry files of a directory.

Every good row becomes ``<id>.md``; a bad row is reported with its row number
and does not stop the others. Ids already used in the directory are not
overwritten: a row asking for one is refused, a row without an id gets a
fresh slug.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from knowledge._table import read_rows, row_to_entry
from knowledge.entry import render_entry
from knowledge.errors import EntryError
from knowledge.loader import ENTRY_SUFFIX, entry_files, load_directory


@dataclass(frozen=True, slots=True)
class ImportResult:
    written: tuple[Path, ...]
    problems: tuple[EntryError, ...]


def import_table(table: Path, into: Path) -> ImportResult:
    """Write one entry file per good row of ``table`` into ``into``."""
    rows = read_rows(table)  # SourceError for an unreadable table, before anything is written
    into.mkdir(parents=True, exist_ok=True)
    taken = {p.stem for p in entry_files(into)} | {e.id for e in load_directory(into).entries}
    written: list[Path] = []
    problems: list[EntryError] = []
    for row in rows:
        try:
            entry = row_to_entry(row, str(table), taken)
        except EntryError as exc:
            problems.append(exc)
            continue
        target = into / f"{entry.id}{ENTRY_SUFFIX}"
        target.write_text(render_entry(entry), encoding="utf-8")
        written.append(target)
    return ImportResult(tuple(written), tuple(problems))
