"""Every text a person reads: one Jinja2 environment over ``bot/templates``.

Templates autoescape for Telegram HTML (user text is untrusted, ARCHITECTURE.md, invariant 6):
``<``, ``>`` and ``&`` in a value come out as entities, and template syntax
inside a value is never evaluated.  ``split_html`` cuts a rendered text into
pieces Telegram accepts (4096 characters), closing and reopening the tags a
cut runs through.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from bot.names import genitive
from desk.followup import RECENT

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024

_TAG = re.compile(r"<(/?)([a-zA-Z-]+)([^>]*)>")
_ENTITY = re.compile(r"&[#a-zA-Z0-9]+;")


@cache
def environment() -> Environment:
    """The one Jinja2 environment (built once, on first use)."""
    env = Environment(
        loader=PackageLoader("bot", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        auto_reload=False,  # templates ship with the code; no stat() of the file per render
    )
    env.filters["plural"] = plural
    # how long after the last exchange a message is added to a ticket without asking
    env.globals["followup_minutes"] = int(RECENT.total_seconds()) // 60
    env.filters["genitive"] = genitive  # "" where unsure: the template words it without a case
    return env


def plural(n: int, one: str, few: str, many: str) -> str:
    """The Russian word form for ``n``: ``{{ n|plural("оценка", "оценки", "оценок") }}``.

    1, 21, 101 → one; 2–4, 22–24 → few; 0, 5–20, 11–14, 25 → many.
    """
    n = abs(n)
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def render(template: str, /, **context: Any) -> str:
    """Render ``bot/templates/<name>.j2``, stripped of surrounding blank lines."""
    return environment().get_template(f"{template}.j2").render(**context).strip()


def lines(template: str, /, **context: Any) -> list[str]:
    """Render a template whose lines are separate items (button labels, commands)."""
    return [line for line in render(template, **context).splitlines() if line.strip()]


def split_html(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Cut Telegram-HTML ``text`` into pieces of at most ``limit`` characters.

    Cuts prefer a line break, then a space; never inside a tag or an entity.
    Tags open at a cut are closed at the end of one piece and reopened at the
    start of the next, so every piece parses on its own.
    """
    if len(text) <= limit:
        return [text]
    pieces: list[str] = []
    open_tags: list[tuple[str, str]] = []  # (name, full opening tag)
    rest = text
    while rest:
        prefix = "".join(full for _, full in open_tags)
        budget = limit - len(prefix) - _closing_len(open_tags) - 64  # room for new tags
        if len(prefix) + len(rest) <= limit:
            pieces.append(prefix + rest)
            break
        cut = _cut_point(rest, budget)
        chunk, rest = rest[:cut], rest[cut:]
        state = list(open_tags)
        for match in _TAG.finditer(chunk):
            closing, name = match.group(1) == "/", match.group(2).lower()
            if closing:
                for i in range(len(state) - 1, -1, -1):
                    if state[i][0] == name:
                        del state[i]
                        break
            else:
                state.append((name, match.group(0)))
        closing_tags = "".join(f"</{name}>" for name, _ in reversed(state))
        pieces.append((prefix + chunk).rstrip("\n") + closing_tags)
        open_tags = state
        rest = rest.lstrip("\n")
    return [p for p in pieces if p.strip()]


def _closing_len(tags: list[tuple[str, str]]) -> int:
    return sum(len(name) + 3 for name, _ in tags)


def _cut_point(text: str, budget: int) -> int:
    """The best place to cut ``text`` so the first part is at most ``budget`` long."""
    if len(text) <= budget:
        return len(text)
    window = text[:budget]
    for sep in ("\n", " "):
        pos = window.rfind(sep)
        if pos > budget // 2:
            return _outside_markup(text, pos + 1)
    return _outside_markup(text, budget)


def _outside_markup(text: str, pos: int) -> int:
    """Move ``pos`` back so it falls neither inside a tag nor inside an entity."""
    for pattern in (_TAG, _ENTITY):
        for match in pattern.finditer(text, max(0, pos - 300), pos + 300):
            if match.start() < pos < match.end():
                pos = match.start()
    return max(pos, 1)
