"""Telegram's HTML parse mode: markup in, plain text and entities out.

The rules are the documented ones (https://core.telegram.org/bots/api#html-style),
read strictly where Telegram's own parser (tdlib's ``parse_html``) is lenient,
so that a message the sandbox delivers is one Telegram is documented to accept:

- only the documented tags, each with only its documented attributes
  (``a href``, ``span class="tg-spoiler"``, ``code class="language-…"``
  directly inside ``pre``, ``tg-emoji emoji-id``, ``tg-time unix format``,
  ``blockquote expandable``); a link needs its ``href``;
- every ``<`` and ``&`` that is not markup is written as an entity: only
  ``&lt; &gt; &amp; &quot;`` and numeric references are entities, so a lone
  ``&`` (``a & b``) or ``&apos;``/``&nbsp;`` is refused, where Telegram keeps
  them as typed; a bare ``>`` cannot be misread and is kept, as Telegram does;
- tags and attributes are read as tdlib reads them: a quoted value may hold
  ``>`` and ends only at its quote (references in it are decoded, a lone
  ``&`` is part of the tag), an unquoted one is a name token, read in lower
  case; an unclosed tag, a stray or crossed end tag is refused.

A refusal is Telegram's "can't parse entities". ``knowledge/_html.py`` checks FAQ
answers by the same rules; the table in ``tests/html_conformance.py`` runs
against both. Entity offsets and lengths are counted in UTF-16 code units.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sandbox._errors import BadRequest

_REFERENCE = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]+)|#[xX]([0-9a-fA-F]+));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SPACE = " \t\r\n\v\f"
_NAME_TOKEN = re.compile(r"[a-zA-Z0-9.-]*")
_TIME_FORMAT = re.compile(r"r|w?[dD]?[tT]?")

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
# The attributes each tag may have: True for a value, False for a bare flag.
_ATTRIBUTES: dict[str, dict[str, bool]] = {
    "a": {"href": True},
    "span": {"class": True},
    "code": {"class": True},
    "tg-emoji": {"emoji-id": True},
    "tg-time": {"unix": True, "format": True},
    "blockquote": {"expandable": False},
}
_TAGS = _SIMPLE.keys() | _ATTRIBUTES.keys()
# Markers for tags that produce no entity of their own.
_MERGED = "code inside pre"
_NO_URL = "link without a url"


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

    def at(self, index: int) -> str:
        """``at byte offset N`` of the character at ``index``, as Telegram says it."""
        return f"at byte offset {len(self.source[:index].encode('utf-8'))}"

    def emit(self, text: str) -> None:
        self.out.append(text)
        self.length += len(text.encode("utf-16-le")) // 2

    def reference(self, index: int) -> int:
        """Emit the character reference at ``index`` (its ``&``); the index after it."""
        found = _REFERENCE.match(self.source, index)
        char = _character(found) if found else None
        if found is None or char is None:
            raise self.fail(
                f'Character "&" {self.at(index)} is not a part of a supported HTML entity; '
                'write it as "&amp;"'
            )
        self.emit(char)
        return found.end()

    def entity_for(
        self, tag: str, values: dict[str, str], flags: set[str], index: int
    ) -> dict[str, Any]:
        if tag == "code":
            return self.code(values, index)
        if tag in _SIMPLE:
            return {"type": _SIMPLE[tag]}
        if tag == "a":
            if "href" not in values:
                raise self.fail(f'Tag "a" must have attribute "href" {self.at(index)}')
            url = values["href"]
            return {"type": "text_link", "url": url} if url else {"type": _NO_URL}
        if tag == "span":
            if values.get("class") != "tg-spoiler":
                raise self.fail(f'Unsupported start tag "span" {self.at(index)}')
            return {"type": "spoiler"}
        if tag == "tg-emoji":
            if not values.get("emoji-id"):
                raise self.fail(f'Tag "tg-emoji" must have attribute "emoji-id" {self.at(index)}')
            return {"type": "custom_emoji", "custom_emoji_id": values["emoji-id"]}
        if tag == "tg-time":
            return self.date_time(values, index)
        kind = "expandable_blockquote" if "expandable" in flags else "blockquote"
        return {"type": kind}

    def code(self, values: dict[str, str], index: int) -> dict[str, Any]:
        """``<code>``; directly inside ``<pre>`` it only names the pre's language."""
        pre = self.stack[-1].entity if self.stack and self.stack[-1].tag == "pre" else None
        if "class" in values:
            if pre is None or not values["class"].startswith("language-"):
                raise self.fail(
                    "Programming language can't be specified for a standalone "
                    f'"code" tag {self.at(index)}'
                )
            if language := values["class"].removeprefix("language-"):
                pre["language"] = language
        return {"type": "code"} if pre is None else {"type": _MERGED}

    def date_time(self, values: dict[str, str], index: int) -> dict[str, Any]:
        unix, time_format = values.get("unix", ""), values.get("format", "")
        if not unix.isascii() or not unix.isdigit():
            raise self.fail(f'Tag "tg-time" must have a Unix time in "unix" {self.at(index)}')
        if not _TIME_FORMAT.fullmatch(time_format):
            raise self.fail(f'Invalid date-time format "{time_format}" {self.at(index)}')
        entity: dict[str, Any] = {"type": "date_time", "unix_time": int(unix)}
        if time_format:
            entity["date_time_format"] = time_format
        return entity

    def start_tag(self, begin: int) -> int:
        """Read the start tag at ``begin`` (its ``<``) and open it; the index after its ``>``."""
        source, i = self.source, begin + 1
        while i < len(source) and source[i] not in _SPACE and source[i] != ">":
            i += 1
        if i == len(source):
            raise self.fail(f"Unclosed start tag {self.at(begin)}")
        tag = source[begin + 1 : i].lower()
        if tag not in _TAGS:
            raise self.fail(f'Unsupported start tag "{tag}" {self.at(begin)}')
        allowed = _ATTRIBUTES.get(tag, {})
        values: dict[str, str] = {}
        flags: set[str] = set()
        while True:
            i = _skip_spaces(source, i)
            if i == len(source):
                raise self.fail(f"Unclosed start tag {self.at(begin)}")
            if source[i] == ">":
                break
            name_start = i
            while i < len(source) and source[i] not in _SPACE and source[i] not in "=>":
                i += 1
            name = source[name_start:i].lower()
            if not name:
                raise self.fail(f'Empty attribute name in the tag "{tag}" {self.at(begin)}')
            if name not in allowed:
                raise self.fail(
                    f'Unsupported attribute "{name}" of the tag "{tag}" {self.at(begin)}'
                )
            i = _skip_spaces(source, i)
            has_value = i < len(source) and source[i] == "="
            if has_value != allowed[name]:
                if has_value:
                    raise self.fail(
                        f'Attribute "{name}" of the tag "{tag}" takes no value {self.at(begin)}'
                    )
                raise self.fail(
                    "Expected equal sign in declaration of an attribute of the tag "
                    f'"{tag}" {self.at(begin)}'
                )
            if not has_value:
                flags.add(name)
                continue
            i = _skip_spaces(source, i + 1)
            if i == len(source):
                raise self.fail(f"Unclosed start tag {self.at(begin)}")
            if source[i] in "'\"":
                end = source.find(source[i], i + 1)
                if end == -1:
                    raise self.fail(f"Unclosed start tag {self.at(begin)}")
                values[name] = _decode_attribute(source[i + 1 : end])
                i = end + 1
            else:
                token = _NAME_TOKEN.match(source, i)
                assert token is not None  # the pattern matches the empty string
                i = token.end()
                if i < len(source) and source[i] not in _SPACE and source[i] != ">":
                    raise self.fail(f"Unexpected end of name token {self.at(token.start())}")
                values[name] = token.group(0).lower()
        entity = self.entity_for(tag, values, flags, begin)
        self.stack.append(_Open(tag, self.length, entity))
        return i + 1

    def end_tag(self, begin: int) -> int:
        """Read the end tag at ``begin`` (its ``</``) and close; the index after its ``>``."""
        source, i = self.source, begin + 2
        while i < len(source) and source[i] not in _SPACE and source[i] != ">":
            i += 1
        tag = source[begin + 2 : i].lower()
        i = _skip_spaces(source, i)
        if i == len(source) or source[i] != ">":
            raise self.fail(f"Unclosed end tag {self.at(begin)}")
        if tag not in _TAGS:
            raise self.fail(f'Unsupported end tag "{tag}" {self.at(begin)}')
        if not self.stack:
            raise self.fail(f"Unexpected end tag {self.at(begin)}")
        top = self.stack.pop()
        if top.tag != tag:
            raise self.fail(
                f'Unmatched end tag {self.at(begin)}, expected "</{top.tag}>", found "</{tag}>"'
            )
        size = self.length - top.offset
        if size > 0 and top.entity["type"] not in (_MERGED, _NO_URL):
            self.entities.append({**top.entity, "offset": top.offset, "length": size})
        return i + 1


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Plain text and entities of an HTML-formatted message, or BadRequest."""
    parser = _Parser(source)
    index = 0
    while index < len(source):
        char = source[index]
        if char == "<":
            closing = source.startswith("</", index)
            index = parser.end_tag(index) if closing else parser.start_tag(index)
        elif char == "&":
            index = parser.reference(index)
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
    positions = [p for p in (source.find(c, start) for c in "<&") if p != -1]
    return min(positions, default=len(source))


def _skip_spaces(source: str, index: int) -> int:
    while index < len(source) and source[index] in _SPACE:
        index += 1
    return index


def _character(reference: re.Match[str]) -> str | None:
    """The character a reference names, or None for a number that names none."""
    name, decimal, hexadecimal = reference.groups()
    if name:
        return _NAMED[name]
    code = int(decimal) if decimal else int(hexadecimal, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code)


def _decode_attribute(value: str) -> str:
    """A quoted attribute value with its references decoded; anything else, a lone
    ``&`` too, is part of the tag and stays as written."""
    return _REFERENCE.sub(lambda found: _character(found) or found.group(0), value)
