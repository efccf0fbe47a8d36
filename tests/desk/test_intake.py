"""The intake guess: priority and category from a user's Russian text."""

from __future__ import annotations

import pytest

from desk.enums import Category, Priority
from desk.intake import guess, is_request, subject_of


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
