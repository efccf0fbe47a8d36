"""Reading entry front matter: a fast path for the simple YAML our files use.

Loading 10,000 entries must take seconds, and a YAML parser costs a quarter
of a millisecond per file. :func:`read_front_matter` reads the subset that
entry files use — ``key: value``, ``key: [a, b]`` and ``key:`` followed by
``- item`` lines, values plain or quoted without escapes — and hands
anything else to the real YAML parser, so the result is always what YAML
would give.
"""

from __future__ import annotations

import re

import yaml

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_KEY = re.compile(r"^([a-z_]+):(?: (.*))?$")
_ITEM = re.compile(r"^ *- (.*)$")
# Plain scalars YAML would read as something other than the same string.
_SPECIAL = re.compile(
    r"^(?:[-+]?[0-9.][0-9._:eE+-]*|true|false|yes|no|on|off|null|~|y|n)$", re.IGNORECASE
)
_UNSAFE_START = frozenset("'\"[]{}&*!|>%@`#,?:-")


class _Fallback(Exception):
    """The text needs the real YAML parser."""


def read_front_matter(text: str) -> object:
    """What ``yaml.safe_load(text)`` returns (raises ``yaml.YAMLError`` the same way)."""
    try:
        return _fast(text)
    except _Fallback:
        return yaml.load(text, Loader=_YAML_LOADER)


def _fast(text: str) -> dict[str, object]:
    result: dict[str, object] = {}
    blocks: dict[str, list[object]] = {}  # keys opened as ``key:`` with ``- item`` lines
    current: list[object] | None = None
    for line in text.split("\n"):
        if not line.strip():
            continue
        item = _ITEM.match(line)
        if item:
            if current is None:
                raise _Fallback
            current.append(_scalar(item.group(1).strip()))
            continue
        key = _KEY.match(line)
        if not key or key.group(1) in result or key.group(1) in blocks:
            raise _Fallback
        name, value = key.group(1), (key.group(2) or "").strip()
        current = None
        if not value:
            current = blocks[name] = []
        elif value.startswith("[") and value.endswith("]"):
            inner = value[1:-1].strip()
            result[name] = [_scalar(v.strip()) for v in inner.split(",")] if inner else []
        else:
            result[name] = _scalar(value)
    for name, items in blocks.items():
        result[name] = items or None  # a bare ``key:`` is null in YAML
    return result


def _scalar(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        inner = value[1:-1]
        if "\\" in inner or '"' in inner:
            raise _Fallback
        return inner
    if len(value) >= 2 and value[0] == value[-1] == "'":
        inner = value[1:-1]
        if "'" in inner:
            raise _Fallback
        return inner
    if (
        not value
        or value[0] in _UNSAFE_START
        or ": " in value
        or " #" in value
        or value.endswith(":")
        or "[" in value
        or "]" in value
        or "{" in value
        or "}" in value
        or _SPECIAL.match(value)
    ):
        raise _Fallback
    return value
