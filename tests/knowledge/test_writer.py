from dataclasses import replace
from pathlib import Path

import pytest

from knowledge._slug import slugify, unique_id
from knowledge.entry import Entry
from knowledge.errors import EntryError
from knowledge.loader import load
from knowledge.writer import save_entry

ENTRY = Entry(id="", title="Не закрывается месяц: ошибка", answer="Откройте <b>помощник</b>.")


def test_slug_is_transliterated_title() -> None:
    """Ids are readable Latin transliterations of the title."""
    assert slugify("Не закрывается месяц: ошибка!") == "ne-zakryvaetsya-mesyats-oshibka"
    assert slugify("Щётка ЖЁЛТАЯ") == "shchetka-zheltaya"
    assert slugify("???") == "entry"


def test_unique_id_appends_a_number() -> None:
    """A taken slug gets -2, -3 and so on."""
    assert unique_id("Ошибка", {"oshibka", "oshibka-2"}) == "oshibka-3"


def test_saved_entry_loads_back(tmp_path: Path) -> None:
    """save_entry writes one file that loads as the same entry."""
    path = save_entry(tmp_path, ENTRY)
    assert path.name == "ne-zakryvaetsya-mesyats-oshibka.md"
    (loaded,) = load(tmp_path).entries
    assert loaded == replace(ENTRY, id=path.stem)


def test_second_entry_with_the_same_title_gets_a_new_id(tmp_path: Path) -> None:
    """Saving twice never overwrites: the second file has its own id."""
    first = save_entry(tmp_path, ENTRY)
    second = save_entry(tmp_path, ENTRY)
    assert first != second
    assert len(load(tmp_path).entries) == 2


def test_id_used_inside_another_file_is_not_reused(tmp_path: Path) -> None:
    """Ids are unique across files even when a file name differs from its id."""
    (tmp_path / "other-name.md").write_text(
        "---\nid: ne-zakryvaetsya-mesyats-oshibka\ntitle: t\n---\nответ", encoding="utf-8"
    )
    path = save_entry(tmp_path, ENTRY)
    assert path.stem == "ne-zakryvaetsya-mesyats-oshibka-2"
    assert load(tmp_path).problems == ()


def test_invalid_entry_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    """An answer Telegram would reject is not saved."""
    with pytest.raises(EntryError, match="не закрыт"):
        save_entry(tmp_path, replace(ENTRY, answer="<b>жирный"))
    assert list(tmp_path.iterdir()) == []
