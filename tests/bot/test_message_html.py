"""A message's entities as relayed HTML: attributes escaped, only plain safe links."""

from __future__ import annotations

import pytest
from aiogram.types import MessageEntity

from bot.services.message_html import safe_link, to_html
from sandbox._html_text import parse_html


@pytest.mark.parametrize(
    "url",
    ["https://its.1c.ru/db/", "HTTP://x.ru", "tg://user?id=5", "mailto:help@example.ru"],
)
def test_plain_http_tg_and_mailto_links_are_safe(url: str) -> None:
    assert safe_link(url)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "\x01javascript:alert(1)",
        "https://x.ru/\u202e",  # a right-to-left override hides what follows
        "https://x.ru/ a",
        "data:text/html,<b>1</b>",
        "x.ru",
        '"><b>INJ</b><a href="x',
    ],
)
def test_other_schemes_and_disguises_are_not_links(url: str) -> None:
    assert not safe_link(url)


@pytest.mark.parametrize(
    "entity",
    [
        {"type": "text_link", "url": 'https://x.ru/?q="><b>INJ</b>'},
        {"type": "pre", "language": 'py"><b>INJ</b>'},
        {"type": "custom_emoji", "custom_emoji_id": '1"><b>INJ</b>'},
    ],
)
def test_attributes_round_trip_through_telegram_html(entity: dict[str, str]) -> None:
    """What Telegram parses back is the text and the attribute as sent, no bold."""
    text = "см. ссылку <b>не тег</b>"
    html = to_html(text, [MessageEntity(offset=4, length=6, **entity)])
    parsed, entities = parse_html(html)
    assert parsed == text
    assert [e["type"] for e in entities] == [entity["type"]]
    for key, value in entity.items():
        assert entities[0][key] == value
