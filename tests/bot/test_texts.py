"""Texts people read: escaping of user input and splitting at Telegram's limits."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from bot import texts
from desk.timefmt import due_words


def test_user_text_is_escaped_and_template_syntax_is_not_run() -> None:
    """Tags and Jinja syntax typed by a user come out literally (as HTML entities)."""
    shown = texts.render("start_bound", name="<i>Ольга</i> {{ 7*7 }}", client="A&B")
    assert "&lt;i&gt;Ольга&lt;/i&gt; {{ 7*7 }}" in shown
    assert "A&amp;B" in shown
    assert "49" not in shown


def test_short_text_is_one_piece() -> None:
    """A text within the limit is not touched."""
    assert texts.split_html("<b>Привет</b>") == ["<b>Привет</b>"]


def test_long_text_is_cut_at_lines_within_the_limit() -> None:
    """Every piece fits 4096 characters and no line is lost."""
    text = "\n".join(f"строка {i}" for i in range(2000))
    pieces = texts.split_html(text)
    assert len(pieces) > 1
    assert all(len(p) <= texts.MESSAGE_LIMIT for p in pieces)
    assert "\n".join(pieces).split("\n") == text.split("\n")


def test_tags_open_at_a_cut_are_closed_and_reopened() -> None:
    """A bold run cut in two is closed in the first piece and reopened in the next."""
    text = "<b>" + "слово " * 2000 + "</b>"
    pieces = texts.split_html(text)
    for piece in pieces:
        assert piece.count("<b>") == piece.count("</b>")


def test_cuts_never_split_an_entity() -> None:
    """An escaped character (&lt;) is never cut in half."""
    text = "&lt;&gt;" * 1500
    for piece in texts.split_html(text, limit=1000):
        assert not re.search(r"&[a-z]*$", piece)
        assert not re.match(r"^[a-z]*;", piece)


def test_every_template_renders_valid_names() -> None:
    """Button label templates give the number of labels the keyboards expect."""
    assert len(texts.lines("card_buttons")) == 6
    assert len(texts.lines("faq_buttons")) == 2
    assert len(texts.lines("resolved_buttons")) == 2
    assert len(texts.lines("category_buttons")) == 7


def test_plural_picks_the_russian_form() -> None:
    """1 оценка, 2 оценки, 5 оценок — including 11–14 and 21/22/25 and big numbers."""
    forms = ("оценка", "оценки", "оценок")
    expected = {0: "оценок", 1: "оценка", 2: "оценки", 4: "оценки", 5: "оценок", 11: "оценок",
                12: "оценок", 14: "оценок", 21: "оценка", 22: "оценки", 25: "оценок",
                101: "оценка", 111: "оценок", 1004: "оценки"}  # fmt: skip
    assert {n: texts.plural(n, *forms) for n in expected} == expected
    rendered = texts.environment().from_string(
        '{{ n }} {{ n|plural("заявка", "заявки", "заявок") }}'
    )
    assert [rendered.render(n=n) for n in (1, 3, 7)] == ["1 заявка", "3 заявки", "7 заявок"]


def test_a_due_past_tomorrow_is_named_with_its_weekday() -> None:
    """«в понедельник, 18 мая, до 10:00 МСК»: the weekday tells a person if a weekend is between."""
    now = datetime(2026, 5, 12, 9, 0, tzinfo=UTC)  # a Tuesday
    words = due_words(datetime(2026, 5, 18, 7, 0, tzinfo=UTC), now, "Europe/Moscow")
    assert texts.render("due_words", w=words) == "в понедельник, 18 мая, до 10:00 МСК"
    words = due_words(datetime(2026, 5, 20, 12, 30, tzinfo=UTC), now, "Asia/Yekaterinburg")
    assert texts.render("due_words", w=words) == "в среду, 20 мая, до 17:30 МСК+2"
