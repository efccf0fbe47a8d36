"""Telegram HTML parse mode: plain text out, entities with UTF-16 offsets."""

from __future__ import annotations

import pytest

from sandbox._errors import BadRequest
from sandbox._html_text import parse_html


def test_nested_tags_give_nested_entities() -> None:
    text, entities = parse_html("<b>жирный <i>и курсив</i></b>")
    assert text == "жирный и курсив"
    assert entities == [
        {"type": "bold", "offset": 0, "length": 15},
        {"type": "italic", "offset": 7, "length": 8},
    ]


def test_offsets_count_utf16_units() -> None:
    text, entities = parse_html("😀 <b>ок</b>")
    assert text == "😀 ок"
    assert entities == [{"type": "bold", "offset": 3, "length": 2}]


def test_escapes_are_decoded() -> None:
    text, entities = parse_html("1 &lt; 2 &amp;&amp; 3 &gt; 2 &quot;да&quot; &#1071;")
    assert text == '1 < 2 && 3 > 2 "да" Я'
    assert entities == []


def test_links_code_and_spoilers() -> None:
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


def test_a_quoted_attribute_may_hold_markup_characters() -> None:
    source = '<a href="https://x.ru/?q=&quot;&gt;&lt;b&gt;1&#39;>2\'">ссылка</a>'
    assert parse_html(source) == (
        "ссылка",
        [{"type": "text_link", "url": "https://x.ru/?q=\"><b>1'>2'", "offset": 0, "length": 6}],
    )


def test_an_expandable_blockquote_and_unquoted_values() -> None:
    text, entities = parse_html("<blockquote expandable>цитата</blockquote> <a href=tg>x</a>")
    assert text == "цитата x"
    assert entities == [
        {"type": "expandable_blockquote", "offset": 0, "length": 6},
        {"type": "text_link", "url": "tg", "offset": 7, "length": 1},
    ]


def test_date_times_and_custom_emoji_give_their_entities() -> None:
    source = (
        '<tg-time unix="1647531900" format="wDT">завтра</tg-time> '
        "<tg-time unix=1647531900>сейчас</tg-time> "
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
    )
    text, entities = parse_html(source)
    assert text == "завтра сейчас 👍"
    assert entities == [
        {
            "type": "date_time",
            "unix_time": 1647531900,
            "date_time_format": "wDT",
            "offset": 0,
            "length": 6,
        },
        {"type": "date_time", "unix_time": 1647531900, "offset": 7, "length": 6},
        {
            "type": "custom_emoji",
            "custom_emoji_id": "5368324170671202286",
            "offset": 14,
            "length": 2,
        },
    ]


@pytest.mark.parametrize(
    ("source", "detail"),
    [
        ("<script>x</script>", 'Unsupported start tag "script" at byte offset 0'),
        ("ок <b>", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<i>a</b>", 'Unmatched end tag at byte offset 4, expected "</i>", found "</b>"'),
        ("я</i>", "Unexpected end tag at byte offset 2"),
        ("<span>x</span>", 'Unsupported start tag "span" at byte offset 0'),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("ок <b", "Unclosed start tag at byte offset 5"),
        ('<a href="x>ссылка</a>', "Unclosed start tag at byte offset 0"),
        (
            "<a href>x</a>",
            'Expected equal sign in declaration of an attribute of the tag "a" at byte offset 0',
        ),
        ('<a ="x">x</a>', 'Empty attribute name in the tag "a" at byte offset 0'),
        ("<a href=x/y>x</a>", "Unexpected end of name token at byte offset 8"),
        (
            "ООО «Рога & Копыта»",
            'Character "&" at byte offset 18 is not a part of a supported HTML entity; '
            'write it as "&amp;"',
        ),
        (
            "&apos;",
            'Character "&" at byte offset 0 is not a part of a supported HTML entity; '
            'write it as "&amp;"',
        ),
        ("<a>x</a>", 'Tag "a" must have attribute "href" at byte offset 0'),
        ('<b class="x">y</b>', 'Unsupported attribute "class" of the tag "b" at byte offset 0'),
        (
            '<code class="language-bsl">x</code>',
            'Programming language can\'t be specified for a standalone "code" tag at byte offset 0',
        ),
        (
            '<tg-time unix="1" format="x">y</tg-time>',
            'Invalid date-time format "x" at byte offset 0',
        ),
        ("<b>x</>", 'Unsupported end tag "" at byte offset 4'),
        ("<b>x</b", "Unclosed end tag at byte offset 4"),
        # aiogram's html_text with a link whose URL holds markup
        (
            '<a href=""><b>INJ</b><a href="x">ссылка</a>',
            'Can\'t find end tag corresponding to start tag "a"',
        ),
    ],
)
def test_bad_markup_is_refused(source: str, detail: str) -> None:
    with pytest.raises(BadRequest) as caught:
        parse_html(source)
    assert caught.value.description == f"Bad Request: can't parse entities: {detail}"
