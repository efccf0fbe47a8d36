"""Typed access to parsed TOML that fails with the file, line and reason."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from typing import Any, NoReturn, TypeVar

from desk.config._lines import KeyPath, SourceLines
from desk.config._messages import reason, type_name
from desk.errors import ConfigError

T = TypeVar("T")
Table = dict[str, Any]

_MISSING: Any = object()


class Reader:
    def __init__(self, file: str, text: str) -> None:
        self.file = file
        self.lines = SourceLines(text)

    def fail(self, path: KeyPath, why: str) -> NoReturn:
        raise ConfigError(self.file, self.lines.line_of(path), why)

    def line(self, path: KeyPath) -> int | None:
        return self.lines.line_of(path)

    def check_keys(
        self, table: Table, path: KeyPath, allowed: Collection[str], required: Collection[str] = ()
    ) -> None:
        for key in table:
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                self.fail((*path, key), reason("unknown_key", key=key, allowed=known))
        for key in sorted(required):
            if key not in table:
                self.fail(path, reason("missing_key", key=key))

    def value(
        self, table: Table, path: KeyPath, key: str, kind: type[T], default: Any = _MISSING
    ) -> T:
        """``table[key]`` of type ``kind`` (bool is not an int here), else ``default``."""
        if key not in table:
            if default is _MISSING:
                self.fail(path, reason("missing_key", key=key))
            return default  # type: ignore[no-any-return]
        value = table[key]
        wrong_bool = kind is int and isinstance(value, bool)
        if not isinstance(value, kind) or wrong_bool:
            got = type_name(type(value))
            self.fail((*path, key), reason("type", key=key, expected=type_name(kind), got=got))
        if isinstance(value, str) and not value.strip():
            self.fail((*path, key), reason("empty", key=key))
        return value

    def parsed(self, table: Table, path: KeyPath, key: str, parse: Callable[[str], T]) -> T:
        """``parse(table[key])``, its ``ValueError`` turned into a ConfigError at the key."""
        raw = self.value(table, path, key, str)
        try:
            return parse(raw)
        except ValueError as exc:
            self.fail((*path, key), str(exc))

    def named_tables(self, data: Table, section: str) -> Iterator[tuple[str, Table, KeyPath]]:
        """``[section.NAME]`` tables: (NAME, table, path)."""
        tables = data.get(section, {})
        if not isinstance(tables, dict):
            self.fail((section,), reason("not_table", key=section))
        for name, table in tables.items():
            if not isinstance(table, dict):
                self.fail((section, name), reason("not_table", key=f"{section}.{name}"))
            yield name, table, (section, name)

    def array_tables(self, data: Table, section: str) -> Iterator[tuple[Table, KeyPath]]:
        """``[[section]]`` tables: (table, path)."""
        items = data.get(section, [])
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            self.fail((section,), reason("not_array_of_tables", key=section))
        for index, table in enumerate(items):
            yield table, (section, index)
