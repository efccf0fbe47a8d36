"""The intake guess: priority and category from a user's Russian text."""

from __future__ import annotations

import pytest

from desk.enums import Category, Priority
from desk.intake import guess, is_request, subject_of, visible


@pytest.mark.parametrize(
    ("text", "priority", "category"),
    [
        ("база не запускается у всех", Priority.CRITICAL, Category.INCIDENT),
        ("У ВСЕХ не открывается 1С с утра!", Priority.CRITICAL, Category.INCIDENT),
        ("Сервер 1С упал", Priority.CRITICAL, Category.INCIDENT),
        ("не можем отгрузить товар, ошибка при проведении", Priority.HIGH, Category.INCIDENT),
        ("Не закрывается месяц, ошибка в регламентной операции", Priority.HIGH, Category.INCIDENT),
        ("Не закрывается месяц", Priority.HIGH, Category.INCIDENT),
        ("нужно добавить пользователя Иванову", Priority.LOW, Category.ACCESS),
        ("Не хватает прав на документ реализации", Priority.LOW, Category.ACCESS),
        ("Просим доработать отчёт по продажам", Priority.BACKGROUND, Category.ENHANCEMENT),
        ("Не уходят документы в ЭДО", Priority.MEDIUM, Category.INTEGRATION),
        ("Документ не проводится, выдаёт ошибку", Priority.MEDIUM, Category.INCIDENT),
        ("Как распечатать счёт с печатью?", Priority.MEDIUM, Category.CONSULTATION),
        ("", Priority.MEDIUM, Category.CONSULTATION),
    ],
)
def test_guess_follows_the_contract_priorities(
    text: str, priority: Priority, category: Category
) -> None:
    """The examples from the intake issue get the priority the contract gives them."""
    result = guess(text)
    assert (result.priority, result.category) == (priority, category)


def test_one_user_down_is_not_critical() -> None:
    """ "Не запускается" for one person is an ordinary incident, not P1."""
    assert guess("у меня не запускается 1С").priority is Priority.MEDIUM


def test_subject_takes_the_first_line() -> None:
    """The subject is the first non-empty line of the message."""
    assert subject_of("\n  Ошибка  при проведении \nподробности", "—") == "Ошибка при проведении"


def test_subject_is_cut_at_a_word_with_an_ellipsis() -> None:
    """A long first line is cut at a word boundary and marked with an ellipsis."""
    text = "слово " * 30
    subject = subject_of(text, "—", limit=40)
    assert len(subject) <= 40
    assert subject.endswith("слово…")


def test_subject_of_a_message_without_text_is_the_fallback() -> None:
    """A photo without a caption gets the caller's fallback subject."""
    assert subject_of("   ", "Без текста") == "Без текста"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Не проводится реализация", True),
        ("1С", True),
        ("ошибка 404", True),
        ("Спасибо!", False),
        ("спасибо большое", False),
        ("Ок", False),
        ("👍", False),
        (".", False),
        ("", False),
        ("   ", False),
        ("Спасибо, но ошибка осталась", True),
    ],
)
def test_is_request_tells_a_request_from_a_thank_you(text: str, expected: bool) -> None:
    assert is_request(text) is expected


@pytest.mark.parametrize(
    "text",
    [
        "\u3164",  # Hangul filler, filed as a letter
        "\u3164\u3164",
        "0",
        "а?",
        "\u2800",  # blank braille pattern
        "\u115f\u1160\uffa0",  # more Hangul fillers
        "\u200b\u200c\u200d\ufeff\u00ad\u180e\u2060",  # zero-width and format characters
        "\u2028\u2029\u3000\u00a0\t",  # line, paragraph, ideographic and no-break spaces
        "\ufe0f\u034f\U000e0100",  # variation selectors, a grapheme joiner
        "7\u200b",
        "спасибо\u3000большое",  # a thank-you with an odd space is still one
        "\u3164ок\u3164",
    ],
)
def test_invisible_or_one_character_texts_are_not_requests(text: str) -> None:
    """What shows as nothing, or as at most one letter or digit, does not open a ticket."""
    assert is_request(text) is False


def test_invisible_characters_do_not_hide_a_real_request() -> None:
    """A request with a zero-width space or filler inside is still a request."""
    assert is_request("Не\u200b проводится\u3164реализация") is True
    assert is_request("ошибка 42\u2800") is True


@pytest.mark.parametrize(
    ("text", "shown"),
    [("\u3164\u3164", ""), ("\u200b 0 \u200b", "0"), ("а\u2029б", "а б"), ("ok\ufe0f", "ok")],
)
def test_visible_drops_what_does_not_show(text: str, shown: str) -> None:
    assert visible(text) == shown


def test_subject_of_an_invisible_caption_is_the_fallback() -> None:
    """A photo captioned only with fillers gets the fallback subject, not a blank one."""
    assert subject_of("\u3164\n\u200b", "Без текста") == "Без текста"
    assert subject_of("\u3164\nОшибка\u200b проведения", "Без текста") == "Ошибка проведения"
