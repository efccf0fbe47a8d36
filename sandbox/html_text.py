"""Telegram's HTML parse mode: markup in, plain text and entities out.

Only the tags Telegram supports are accepted; anything else, an unclosed tag
or a stray end tag makes the call fail with Telegram's "can't parse entities".
Entity offsets and lengths are counted in UTF-16 code units, as Telegram does.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

from sandbox.errors import BadRequest

_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^>]*)?)\s*>")
_ATTR = re.compile(r"""([a-zA-Z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_ENTITY = re.compile(r"&(#[0-9]+|#x[0-9a-fA-F]+|lt|gt|amp|quot|apos);")

_SIMPLE = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
}
_WITH_ATTRS = {"a", "span", "tg-emoji", "blockquote"}
# Markers for tags that produce no entity of their own.
_MERGED = "code inside pre"
_NO_URL = "link without href"


@dataclass
class _Open:
    tag: str
    offset: int
    entity: dict[str, Any]


@dataclass
class _Parser:
    source: str
    out: list[str] = field(default_factory=list)
    length: int = 0  # UTF-16 units written so far
    stack: list[_Open] = field(default_factory=list)
    entities: list[dict[str, Any]] = field(default_factory=list)

    def fail(self, detail: str) -> BadRequest:
        return BadRequest(f"can't parse entities: {detail}")

    def byte_offset(self, index: int) -> int:
        return len(self.source[:index].encode("utf-8"))

    def emit(self, text: str) -> None:
        self.out.append(text)
        self.length += len(text.encode("utf-16-le")) // 2

    def open(self, tag: str, attrs: str, index: int) -> None:
        entity = self.entity_for(tag, attrs, index)
        self.stack.append(_Open(tag, self.length, entity))

    def entity_for(self, tag: str, attrs: str, index: int) -> dict[str, Any]:
        values = {
            m.group(1).lower(): html.unescape(m.group(2) or m.group(3) or m.group(4) or "")
            for m in _ATTR.finditer(attrs)
        }
        if tag in _SIMPLE:
            if tag == "code" and self.stack and self.stack[-1].tag == "pre":
                # <pre><code class="language-x"> is one pre entity with a language
                language = values.get("class", "").removeprefix("language-")
                if language:
                    self.stack[-1].entity["language"] = language
                return {"type": _MERGED}
            return {"type": _SIMPLE[tag]}
        if tag == "a":
            href = values.get("href", "")
            if not href:
                return {"type": _NO_URL}
            return {"type": "text_link", "url": href}
        if tag == "span" and values.get("class") == "tg-spoiler":
            return {"type": "spoiler"}
        if tag == "tg-emoji" and "emoji-id" in values:
            return {"type": "custom_emoji", "custom_emoji_id": values["emoji-id"]}
        if tag == "blockquote":
            kind = "expandable_blockquote" if "expandable" in attrs else "blockquote"
            return {"type": kind}
        raise self.fail(f'Unsupported start tag "{tag}" at byte offset {self.byte_offset(index)}')

    def close(self, tag: str, index: int) -> None:
        if not self.stack:
            raise self.fail(f"Unexpected end tag at byte offset {self.byte_offset(index)}")
        top = self.stack.pop()
        if top.tag != tag:
            raise self.fail(
                f"Unmatched end tag at byte offset {self.byte_offset(index)}, "
                f'expected "</{top.tag}>", found "</{tag}>"'
            )
        size = self.length - top.offset
        if size > 0 and top.entity["type"] not in (_MERGED, _NO_URL):
            self.entities.append({**top.entity, "offset": top.offset, "length": size})


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Plain text and entities of an HTML-formatted message, or BadRequest."""
    parser = _Parser(source)
    index = 0
    while index < len(source):
        char = source[index]
        if char == "<":
            match = _TAG.match(source, index)
            if match is None:
                raise parser.fail(
                    f'Unsupported start tag "" at byte offset {parser.byte_offset(index)}'
                )
            closing, tag, attrs = match.group(1), match.group(2).lower(), match.group(3)
            if tag not in _SIMPLE and tag not in _WITH_ATTRS:
                kind = "end" if closing else "start"
                raise parser.fail(
                    f'Unsupported {kind} tag "{tag}" at byte offset {parser.byte_offset(index)}'
                )
            if closing:
                parser.close(tag, index)
            else:
                parser.open(tag, attrs, index)
            index = match.end()
        elif char == "&" and (entity := _ENTITY.match(source, index)):
            parser.emit(html.unescape(entity.group(0)))
            index = entity.end()
        elif char == ">":
            parser.emit(char)
            index += 1
        else:
            stop = _next_special(source, index)
            parser.emit(source[index:stop])
            index = stop
    if parser.stack:
        raise parser.fail(
            f'Can\'t find end tag corresponding to start tag "{parser.stack[-1].tag}"'
        )
    parser.entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(parser.out), parser.entities


def _next_special(source: str, start: int) -> int:
    positions = [p for p in (source.find(c, start + 1) for c in "<&>") if p != -1]
    return min(positions, default=len(source))
