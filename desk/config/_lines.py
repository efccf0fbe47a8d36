"""Where a key or table sits in a TOML text.

``tomllib`` reports lines for syntax errors only, so the config loader asks
this index for the line of a value it refuses. Paths are the keys from the
root, with the index for an array of tables: ``("clients", 1, "code")``.

The scan reads headers (``[a.b]``, ``[[a]]``) and ``key = value`` lines;
it is exact for the files people write and falls back to the nearest known
enclosing table for anything it cannot place (e.g. inside multi-line values).
"""

from __future__ import annotations

import json
import re

KeyPath = tuple[str | int, ...]

_BARE = re.compile(r"[A-Za-z0-9_-]+")


def _unescape(raw: str) -> str:
    """A basic-string key's escapes (TOML's are JSON's, plus \\UXXXXXXXX)."""
    if "\\" not in raw:
        return raw
    try:
        return str(json.loads(f'"{raw}"'))
    except ValueError:
        return raw


def _parse_key(text: str) -> tuple[tuple[str, ...], str] | None:
    """Split a dotted key at the start of ``text``; return (parts, rest) or None."""
    parts: list[str] = []
    rest = text.lstrip()
    while True:
        if rest.startswith('"'):
            end = rest.find('"', 1)
            while end > 0 and rest[end - 1] == "\\":
                end = rest.find('"', end + 1)
            if end < 0:
                return None
            parts.append(_unescape(rest[1:end]))
            rest = rest[end + 1 :]
        elif rest.startswith("'"):
            end = rest.find("'", 1)
            if end < 0:
                return None
            parts.append(rest[1:end])
            rest = rest[end + 1 :]
        else:
            match = _BARE.match(rest)
            if match is None:
                return None
            parts.append(match.group())
            rest = rest[match.end() :]
        rest = rest.lstrip()
        if not rest.startswith("."):
            return tuple(parts), rest
        rest = rest[1:].lstrip()


class SourceLines:
    """An index from key paths to 1-based line numbers."""

    def __init__(self, text: str) -> None:
        self._lines: dict[KeyPath, int] = {}
        arrays: dict[tuple[str, ...], int] = {}
        table: KeyPath = ()
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if line.startswith("[["):
                parsed = _parse_key(line[2:])
                if parsed is None or not parsed[1].startswith("]]"):
                    continue
                keys = parsed[0]
                index = arrays.get(keys, -1) + 1
                arrays[keys] = index
                table = (*keys, index)
                self._lines.setdefault(keys, number)
                self._lines[table] = number
            elif line.startswith("["):
                parsed = _parse_key(line[1:])
                if parsed is None or not parsed[1].startswith("]"):
                    continue
                table = parsed[0]
                self._lines.setdefault(table, number)
            else:
                parsed = _parse_key(line)
                if parsed is None or not parsed[1].startswith("="):
                    continue
                self._lines.setdefault((*table, *parsed[0]), number)

    def line_of(self, path: KeyPath) -> int | None:
        """The line of ``path``, else of its nearest enclosing table; None if none."""
        while path:
            if path in self._lines:
                return self._lines[path]
            inside = [n for p, n in self._lines.items() if p[: len(path)] == path]
            if inside:
                return min(inside)
            path = path[:-1]
        return None
