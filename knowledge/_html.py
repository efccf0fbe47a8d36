"""FAQ answers against Telegram's HTML parse mode: accepted or why not, and
the plain text a user sees.

The rules are Telegram's documented ones
(https://core.telegram.org/bots/api#html-style), read strictly:

- only these tags, each with only its documented attributes: ``b strong i em
  u ins s strike del tg-spoiler code pre``, ``a href``, ``span
  class="tg-spoiler"``, ``code class="language-…"`` directly inside ``pre``,
  ``tg-emoji emoji-id``, ``tg-time unix format``, ``blockquote expandable``;
  tags balanced and properly nested;
- every ``<`` and ``&`` in text is written as an entity; the entities are
  ``&lt; &gt; &amp; &quot;`` and numeric references, nothing else (``&nbsp;``
  would reach the user as typed); a bare ``>`` cannot be misread and is
  accepted, as Telegram accepts it;
- a quoted attribute value may hold ``>`` and a lone ``&`` (both are part of
  the tag); an unquoted one is a name token (letters, digits, ``.``, ``-``).

``sandbox/_html_text.py`` plays Telegram by the same rules (neither package may
import the other); the table in ``tests/html_conformance.py`` runs against both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SIMPLE_TAGS = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "tg-spoiler", "code", "pre"}
)
# The attributes each tag may have: True for a value, False for a bare flag.
_ATTRIBUTES: dict[str, dict[str, bool]] = {
    "a": {"href": True},
    "span": {"class": True},
    "code": {"class": True},
    "tg-emoji": {"emoji-id": True},
    "tg-time": {"unix": True, "format": True},
    "blockquote": {"expandable": False},
}
ALLOWED_TAGS = _SIMPLE_TAGS | _ATTRIBUTES.keys()

_REFERENCE = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]+)|#[xX]([0-9a-fA-F]+));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_LOOKS_NAMED = re.compile(r"&[a-zA-Z][a-zA-Z0-9]*;")
_TEXT = re.compile(r"[^<&]+")
_START = re.compile(r"<([^\s>]*+)")
_ATTRIBUTE = re.compile(
    r"""\s*+([^\s=>]++)(?:\s*+=\s*+("[^"]*+"|'[^']*+'|[a-zA-Z0-9.-]*+(?=[\s>])))?"""
)
_START_END = re.compile(r"\s*+>")
_END = re.compile(r"</([^\s>]*+)\s*+>")
_TIME_FORMAT = re.compile(r"r|w?[dD]?[tT]?")


@dataclass(frozen=True, slots=True)
class HtmlReading:
    """What Telegram makes of an answer: its plain text, or why it refuses it."""

    text: str
    problem: str | None = None


class _Refused(Exception):
    """The markup breaks a rule; the message says which, in Russian."""


def read_html(source: str) -> HtmlReading:
    """The plain text Telegram shows for ``source``, or the problem that makes it refuse."""
    try:
        return HtmlReading(_plain_text(source))
    except _Refused as refused:
        return HtmlReading("", str(refused))


def html_problem(text: str) -> str | None:
    """Why ``text`` is not valid Telegram HTML, or None when it is."""
    return read_html(text).problem


def _plain_text(source: str) -> str:
    out: list[str] = []
    open_tags: list[str] = []
    pos = 0
    while pos < len(source):
        if plain := _TEXT.match(source, pos):
            out.append(plain.group(0))
            pos = plain.end()
        elif source[pos] == "&":
            char, pos = _reference(source, pos)
            out.append(char)
        elif end := _END.match(source, pos):
            _close(end.group(1).lower(), open_tags)
            pos = end.end()
        elif source.startswith("</", pos):
            raise _Refused("закрывающий тег записан неверно: нужно </тег>")
        else:
            pos = _open(source, pos, open_tags)
    if open_tags:
        raise _Refused(f"тег <{open_tags[-1]}> не закрыт")
    return "".join(out)


def _reference(source: str, pos: int) -> tuple[str, int]:
    found = _REFERENCE.match(source, pos)
    char = _character(found) if found else None
    if found and char:
        return char, found.end()
    if named := _LOOKS_NAMED.match(source, pos):
        raise _Refused(
            f"сущность «{named.group(0)}» Telegram не знает (только &lt; &gt; &amp; &quot; "
            "и числовые): напишите сам символ"
        )
    if found:
        raise _Refused(f"«{found.group(0)}» не задаёт символ")
    raise _Refused("символ «&» вне сущности: пишите &amp;")


def _character(reference: re.Match[str]) -> str | None:
    """The character a reference names, or None for a number that names none."""
    name, decimal, hexadecimal = reference.groups()
    if name:
        return _NAMED[name]
    code = int(decimal) if decimal else int(hexadecimal, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code)


def _close(name: str, open_tags: list[str]) -> None:
    if name not in ALLOWED_TAGS:
        raise _Refused(f"тег </{name}> не поддерживается Telegram")
    if not open_tags or open_tags[-1] != name:
        raise _Refused(f"закрывающий тег </{name}> без открывающего")
    open_tags.pop()


def _open(source: str, pos: int, open_tags: list[str]) -> int:
    """Check the start tag at ``pos`` and open it; the position after its ``>``."""
    head = _START.match(source, pos)
    assert head is not None  # "<" followed by anything matches
    name = head.group(1).lower()
    if not name[:1].isalpha():
        raise _Refused("символ «<» вне тега: пишите &lt;")
    if name not in ALLOWED_TAGS:
        raise _Refused(f"тег <{name}> не поддерживается Telegram")
    allowed = _ATTRIBUTES.get(name, {})
    values: dict[str, str | None] = {}
    pos = head.end()
    while attribute := _ATTRIBUTE.match(source, pos):
        key, value = attribute.group(1).lower(), attribute.group(2)
        if key not in allowed:
            raise _Refused(f"у тега <{name}> не бывает атрибута «{key}»")
        if (value is not None) != allowed[key]:
            raise _Refused(f"атрибут «{key}» тега <{name}> записан неверно")
        values[key] = _attribute_value(value) if value is not None else None
        pos = attribute.end()
    end = _START_END.match(source, pos)
    if end is None:
        raise _Refused(f"тег <{name}> не закрыт символом «>» или записан неверно")
    _check_attributes(name, values, open_tags)
    open_tags.append(name)
    return end.end()


def _attribute_value(raw: str) -> str:
    if raw[:1] in ("'", '"'):
        return _REFERENCE.sub(lambda found: _character(found) or found.group(0), raw[1:-1])
    return raw.lower()


def _check_attributes(name: str, values: dict[str, str | None], open_tags: list[str]) -> None:
    if name == "a" and "href" not in values:
        raise _Refused("у ссылки <a> должен быть атрибут href")
    if name == "span" and values.get("class") != "tg-spoiler":
        raise _Refused('тег <span> бывает только спойлером: <span class="tg-spoiler">')
    if name == "code" and "class" in values:
        language = values["class"] or ""
        if open_tags[-1:] != ["pre"] or not language.startswith("language-"):
            raise _Refused('язык задаётся только так: <pre><code class="language-…">')
    if name == "tg-emoji" and not values.get("emoji-id"):
        raise _Refused("у тега <tg-emoji> должен быть атрибут emoji-id")
    if name == "tg-time":
        unix, time_format = values.get("unix") or "", values.get("format") or ""
        if not (unix.isascii() and unix.isdigit()):
            raise _Refused("у тега <tg-time> атрибут unix — время Unix, число")
        if not _TIME_FORMAT.fullmatch(time_format):
            raise _Refused(f"формат «{time_format}» тега <tg-time> неизвестен Telegram")
