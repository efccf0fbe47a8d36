"""Validation of answer bodies against what Telegram's HTML parse mode accepts.

Allowed: ``b``, ``i``, ``u``, ``s``, ``code``, ``pre``, ``a href``, ``blockquote``
(plus Telegram's aliases ``strong``, ``em``, ``ins``, ``strike``, ``del``,
``tg-spoiler``). Tags must be balanced and properly nested; a bare ``<`` or ``&``
that is not an entity is refused because Telegram refuses it too (a bare ``>``
is tolerated, as Telegram does).
"""

from __future__ import annotations

import re

ALLOWED_TAGS = frozenset(
    {
        "b", "strong", "i", "em", "u", "ins", "s", "strike", "del",
        "code", "pre", "a", "blockquote", "tg-spoiler",
    }
)  # fmt: skip

_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^<>]*)?)>")
_BARE_AMPERSAND = re.compile(r"&(?!#\d+;|#x[0-9a-fA-F]+;|lt;|gt;|amp;|quot;)")
_HREF = re.compile(r"""^\s+href\s*=\s*("[^"]*"|'[^']*')\s*$""")


def html_problem(text: str) -> str | None:
    """Return why ``text`` is not valid Telegram HTML, or None when it is."""
    stack: list[str] = []
    pos = 0
    for match in _TAG.finditer(text):
        problem = _plain_text_problem(text[pos : match.start()])
        if problem:
            return problem
        pos = match.end()
        closing, name, attrs = match.group(1), match.group(2).lower(), match.group(3)
        if name not in ALLOWED_TAGS:
            return f"тег <{name}> не поддерживается Telegram"
        if closing:
            if not stack or stack[-1] != name:
                return f"закрывающий тег </{name}> без открывающего"
            stack.pop()
            continue
        if name == "a":
            if not _HREF.match(attrs):
                return "у ссылки <a> должен быть атрибут href"
        elif attrs.strip() and name not in {"code", "pre", "blockquote"}:
            return f"у тега <{name}> не бывает атрибутов"
        stack.append(name)
    problem = _plain_text_problem(text[pos:])
    if problem:
        return problem
    if stack:
        return f"тег <{stack[-1]}> не закрыт"
    return None


def _plain_text_problem(chunk: str) -> str | None:
    if "<" in chunk:
        return "символ «<» вне тега: пишите &lt;"
    if _BARE_AMPERSAND.search(chunk):
        return "символ «&» вне сущности: пишите &amp;"
    return None
