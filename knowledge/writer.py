"""Saving a new entry (the bot's ``/faq``): one file, written atomically."""

from __future__ import annotations

import os
import tempfile
from dataclasses import replace
from pathlib import Path

from knowledge._slug import unique_id
from knowledge.entry import Entry, render_entry, validate_entry
from knowledge.loader import ENTRY_SUFFIX, entry_files, load_directory


def save_entry(directory: Path, entry: Entry) -> Path:
    """Write ``entry`` as a new file in ``directory`` and return its path.

    The id is made from the title (transliterated) when ``entry.id`` is empty,
    and suffixed ``-2``, ``-3``… when the id is already used by a file there.
    The file appears whole (temp file + rename), so a reloading knowledge base
    never reads half of it. Raises EntryError when the entry is invalid.
    """
    directory.mkdir(parents=True, exist_ok=True)
    taken = {p.stem for p in entry_files(directory)} | _ids_in(directory)
    new_id = unique_id(entry.id or entry.title, taken)
    entry = replace(entry, id=new_id, source=str(directory / f"{new_id}{ENTRY_SUFFIX}"))
    validate_entry(entry)
    target = directory / f"{new_id}{ENTRY_SUFFIX}"
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".new-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(render_entry(entry))
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def _ids_in(directory: Path) -> set[str]:
    return {e.id for e in load_directory(directory).entries}
