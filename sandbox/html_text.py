"""Telegram's HTML parse mode: markup in, plain text and entities out.

Only the tags Telegram supports are accepted; anything else, an unclosed tag
or a stray end tag makes the call fail with Telegram's "can't parse entities".
Tags and attributes are read as Telegram's own parser (tdlib's ``parse_html``)
reads them: a quoted value may hold ``>`` and ends only at its quote, an
unquoted one is a name token, an attribute without ``=`` or a tag that never
ends is refused, and only ``&lt; &gt; &amp; &quot;`` and numeric references
are decoded.
Entity offsets and lengths are counted in UTF-16 code units, as Telegram does.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any

from sandbox.errors import BadRequest

_ENTITY = re.compile(r"&(#[0-9]+|#x[0-9a-fA-F]+|lt|gt|amp|quot);")
_SPACE = " \t\r\n\v\f"
_NAME_TOKEN = re.compile(r"[a-zA-Z0-9.-]*")

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

    def open(self, tag: str, values: dict[str, str], flags: set[str], index: int) -> None:
        entity = self.entity_for(tag, values, flags, index)
        self.stack.append(_Open(tag, self.length, entity))

    def entity_for(
        self, tag: str, values: dict[str, str], flags: set[str], index: int
    ) -> dict[str, Any]:
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
            kind = "expandable_blockquote" if "expandable" in flags else "blockquote"
            return {"type": kind}
        raise self.fail(f'Unsupported start tag "{tag}" at byte offset {self.byte_offset(index)}')

    def start_tag(self, begin: int) -> int:
        """Read the start tag at ``begin`` (its ``<``) and open it; the index after its ``>``."""
        source, i = self.source, begin + 1
        while i < len(source) and source[i] not in _SPACE and source[i] != ">":
            i += 1
        if i == len(source):
            raise self.fail(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
        tag = source[begin + 1 : i].lower()
        if tag not in _SIMPLE and tag not in _WITH_ATTRS:
            raise self.fail(
                f'Unsupported start tag "{tag}" at byte offset {self.byte_offset(begin)}'
            )
        values: dict[str, str] = {}
        flags: set[str] = set()
        while True:
            i = _skip_spaces(source, i)
            if i == len(source):
                raise self.fail(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
            if source[i] == ">":
                break
            name_start = i
            while i < len(source) and source[i] not in _SPACE and source[i] not in "=>":
                i += 1
            name = source[name_start:i].lower()
            if not name:
                raise self.fail(
                    f'Empty attribute name in the tag "{tag}" '
                    f"at byte offset {self.byte_offset(begin)}"
                )
            i = _skip_spaces(source, i)
            if i == len(source) or source[i] != "=":
                if tag == "blockquote" and name == "expandable":
                    flags.add(name)
                    continue
                raise self.fail(
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{tag}" at byte offset {self.byte_offset(begin)}'
                )
            i = _skip_spaces(source, i + 1)
            if i == len(source):
                raise self.fail(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
            if source[i] in "'\"":
                end = source.find(source[i], i + 1)
                if end == -1:
                    raise self.fail(f"Unclosed start tag at byte offset {self.byte_offset(begin)}")
                values[name] = _ENTITY.sub(_decode, source[i + 1 : end])
                i = end + 1
            else:
                token = _NAME_TOKEN.match(source, i)
                assert token is not None  # the pattern matches the empty string
                i = token.end()
                if i < len(source) and source[i] not in _SPACE and source[i] != ">":
                    raise self.fail(
                        "Unexpected end of name token at byte offset "
                        f"{self.byte_offset(token.start())}"
                    )
                values[name] = token.group(0).lower()
        self.open(tag, values, flags, begin)
        return i + 1

    def end_tag(self, begin: int) -> int:
        """Read the end tag at ``begin`` (its ``</``) and close; the index after its ``>``."""
        source, i = self.source, begin + 2
        while i < len(source) and source[i] not in _SPACE and source[i] != ">":
            i += 1
        tag = source[begin + 2 : i].lower()
        i = _skip_spaces(source, i)
        if i == len(source) or source[i] != ">":
            raise self.fail(f"Unclosed end tag at byte offset {self.byte_offset(begin)}")
        if tag and tag not in _SIMPLE and tag not in _WITH_ATTRS:
            raise self.fail(f'Unsupported end tag "{tag}" at byte offset {self.byte_offset(begin)}')
        self.close(tag, begin)
        return i + 1

    def close(self, tag: str, index: int) -> None:
        if not self.stack:
            raise self.fail(f"Unexpected end tag at byte offset {self.byte_offset(index)}")
        top = self.stack.pop()
        if tag and top.tag != tag:  # "</>" closes whatever is open
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
            closing = source.startswith("</", index)
            index = parser.end_tag(index) if closing else parser.start_tag(index)
        elif char == "&" and (entity := _ENTITY.match(source, index)):
            parser.emit(_decode(entity))
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


def _skip_spaces(source: str, index: int) -> int:
    while index < len(source) and source[index] in _SPACE:
        index += 1
    return index


def _decode(entity: re.Match[str]) -> str:
    """One character reference (a lone ``&`` or an unknown name stays as typed)."""
    return html.unescape(entity.group(0))
