"""Formatted text as MAX reads it: ``format`` html or markdown -> plain text + ``markup``.

MAX returns a message's text without the tags and lists the styles as
``markup`` elements ``{"type", "from", "length"}`` (UTF-16 offsets; links add
``url``, mentions ``user_id``). HTML: only ``b strong i em u ins s del a code
pre mark h1 blockquote`` (and ``br``) mean something; every other tag is
stripped and its text kept, as MAX does. Markdown is MAX's flavour:
``**strong**``/``__strong__``, ``*em*``/``_em_``, ``~~strike~~``,
``++underline++``, `` `code` ``, ``^^highlighted^^``, ``[text](url)``,
``# heading`` and ``> quote`` lines, ``\\`` escapes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

_HTML_STYLES = {
    "b": "strong",
    "strong": "strong",
    "i": "emphasized",
    "em": "emphasized",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "del": "strikethrough",
    "strike": "strikethrough",
    "code": "monospaced",
    "pre": "monospaced",
    "mark": "highlighted",
    "h1": "heading",
    "blockquote": "quote",
    "a": "link",
}

_MD_DELIMITERS = (
    ("```", "monospaced"),
    ("**", "strong"),
    ("__", "strong"),
    ("~~", "strikethrough"),
    ("++", "underline"),
    ("^^", "highlighted"),
    ("`", "monospaced"),
    ("*", "emphasized"),
    ("_", "emphasized"),
)
_MENTION = re.compile(r"max://user/(\d+)$")
_MD_LINK = re.compile(r"\[((?:\\.|[^\]\\])*)\]\(([^)\s]+)\)")


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@dataclass
class _Builder:
    parts: list[str] = field(default_factory=list)
    length: int = 0
    markup: list[dict[str, Any]] = field(default_factory=list)

    def add(self, text: str) -> None:
        if text:
            self.parts.append(text)
            self.length += utf16_len(text)

    def mark(self, start: int, kind: str, url: str | None = None) -> None:
        if self.length <= start:
            return
        element: dict[str, Any] = {"type": kind, "from": start, "length": self.length - start}
        if kind == "link" and url is not None:
            mention = _MENTION.match(url)
            if mention:
                element = {**element, "type": "user_mention", "user_id": int(mention.group(1))}
            else:
                element["url"] = url
        self.markup.append(element)

    def result(self) -> tuple[str, list[dict[str, Any]]]:
        markup = sorted(self.markup, key=lambda m: (m["from"], -m["length"]))
        return "".join(self.parts), markup


class _Html(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out = _Builder()
        self.open: list[tuple[str, int, str | None]] = []  # tag, start, url

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.out.add("\n")
        elif tag in _HTML_STYLES:
            url = dict(attrs).get("href") if tag == "a" else None
            if tag == "a" and not url:
                return  # a link without an address is plain text
            self.open.append((tag, self.out.length, url))

    def handle_endtag(self, tag: str) -> None:
        if not any(t == tag for t, _, _ in self.open):
            return
        while self.open:
            name, start, url = self.open.pop()
            self.out.mark(start, _HTML_STYLES[name], url)
            if name == tag:
                return

    def handle_data(self, data: str) -> None:
        self.out.add(data)

    def finish(self) -> tuple[str, list[dict[str, Any]]]:
        self.close()
        while self.open:  # unclosed tags run to the end, as a browser would
            name, start, url = self.open.pop()
            self.out.mark(start, _HTML_STYLES[name], url)
        return self.out.result()


def from_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    parser = _Html()
    parser.feed(source)
    return parser.finish()


def from_markdown(source: str) -> tuple[str, list[dict[str, Any]]]:
    out = _Builder()
    lines = source.split("\n")
    for index, line in enumerate(lines):
        if index:
            out.add("\n")
        block: str | None = None
        if line.startswith("# "):
            block, line = "heading", line[2:]
        elif line.startswith(">"):
            block, line = "quote", line[1:].removeprefix(" ")
        start = out.length
        _inline(line, out)
        if block:
            out.mark(start, block)
    return out.result()


def _inline(text: str, out: _Builder) -> None:
    i = 0
    plain: list[str] = []

    def flush() -> None:
        out.add("".join(plain))
        plain.clear()

    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            plain.append(text[i + 1])
            i += 2
            continue
        if char == "[":
            link = _MD_LINK.match(text, i)
            if link:
                flush()
                start = out.length
                _inline(link.group(1), out)
                out.mark(start, "link", link.group(2))
                i = link.end()
                continue
        matched = False
        for delimiter, kind in _MD_DELIMITERS:
            if not text.startswith(delimiter, i):
                continue
            end = _closing(text, delimiter, i + len(delimiter))
            if end is None:
                continue
            flush()
            inner = text[i + len(delimiter) : end]
            start = out.length
            if kind == "monospaced":
                out.add(inner)
            else:
                _inline(inner, out)
            out.mark(start, kind)
            i = end + len(delimiter)
            matched = True
            break
        if not matched:
            plain.append(char)
            i += 1
    flush()


def _closing(text: str, delimiter: str, start: int) -> int | None:
    """Where ``delimiter`` closes after ``start`` (not escaped, something between)."""
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(delimiter, i) and i > start:
            return i
        i += 1
    return None


def parse(text: str, text_format: str | None) -> tuple[str, list[dict[str, Any]]]:
    """The plain text and its markup for a NewMessageBody's ``text`` and ``format``."""
    if text_format == "html":
        return from_html(text)
    if text_format == "markdown":
        return from_markdown(text)
    return text, []
