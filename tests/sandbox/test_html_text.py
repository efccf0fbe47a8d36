"""Telegram HTML parse mode: plain text out, entities with UTF-16 offsets."""

from __future__ import annotations

import pytest

from sandbox.errors import BadRequest
from sandbox.html_text import parse_html


def test_nested_tags_give_nested_entities():
    text, entities = parse_html("<b>жирный <i>и курсив</i></b>")
    assert text == "жирный и курсив"
    assert entities == [
        {"type": "bold", "offset": 0, "length": 15},
        {"type": "italic", "offset": 7, "length": 8},
    ]


def test_offsets_count_utf16_units():
    text, entities = parse_html("😀 <b>ок</b>")
    assert text == "😀 ок"
    assert entities == [{"type": "bold", "offset": 3, "length": 2}]


def test_escapes_are_decoded():
    text, entities = parse_html("1 &lt; 2 &amp;&amp; 3 &gt; 2 &quot;да&quot; &#1071;")
    assert text == '1 < 2 && 3 > 2 "да" Я'
    assert entities == []


def test_links_code_and_spoilers():
    source = (
        '<a href="https://its.1c.ru/?a=1&amp;b=2">ИТС</a> '
        '<pre><code class="language-bsl">Сообщить(1);</code></pre> '
        '<span class="tg-spoiler">тайна</span>'
    )
    text, entities = parse_html(source)
    assert text == "ИТС Сообщить(1); тайна"
    assert entities == [
        {"type": "text_link", "url": "https://its.1c.ru/?a=1&b=2", "offset": 0, "length": 3},
        {"type": "pre", "language": "bsl", "offset": 4, "length": 12},
        {"type": "spoiler", "offset": 17, "length": 5},
    ]


def test_a_lone_ampersand_is_kept():
    assert parse_html("ООО «Рога & Копыта»") == ("ООО «Рога & Копыта»", [])


@pytest.mark.parametrize(
    ("source", "detail"),
    [
        ("<script>x</script>", 'Unsupported start tag "script" at byte offset 0'),
        ("ок <b>", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<i>a</b>", 'Unmatched end tag at byte offset 4, expected "</i>", found "</b>"'),
        ("я</i>", "Unexpected end tag at byte offset 2"),
        ("<span>x</span>", 'Unsupported start tag "span" at byte offset 0'),
    ],
)
def test_bad_markup_is_refused(source: str, detail: str):
    with pytest.raises(BadRequest) as caught:
        parse_html(source)
    assert caught.value.description == f"Bad Request: can't parse entities: {detail}"
