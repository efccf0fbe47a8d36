"""Whether a user's message continues their open ticket or is asked about."""

from __future__ import annotations

from datetime import timedelta

import pytest

from desk.enums import Priority
from desk.followup import RECENT, Exchange, Verdict, close_to, continues

ENHANCEMENT = "Просим доработать отчёт по продажам: добавить колонку с менеджером"
SOON = timedelta(minutes=5)
LATER = timedelta(hours=3)


def enhancement(since_last: timedelta | None) -> Exchange:
    return Exchange(text=ENHANCEMENT, priority=Priority.BACKGROUND, since_last=since_last)


@pytest.mark.parametrize(
    "text",
    [
        "не работает 1С у всех, срочно!",
        "Не можем отгрузить, машина стоит под погрузкой",
        "база упала",
    ],
)
def test_a_new_urgent_problem_is_asked_about_even_right_after(text: str) -> None:
    """An outage or a blocked shipment written to a P5 request is not silently added to it."""
    verdict = continues(text, enhancement(timedelta(seconds=30)), replied=False)
    assert verdict is Verdict.URGENT
    assert not verdict.attach


def test_a_reply_to_the_bot_continues_the_ticket_whatever_it_says() -> None:
    """Replying to a message about the ticket is the user's own choice of ticket."""
    verdict = continues("не работает 1С у всех, срочно!", enhancement(LATER), replied=True)
    assert verdict is Verdict.REPLY
    assert verdict.attach


def test_a_message_soon_after_the_last_exchange_continues_the_ticket() -> None:
    """«Вот ещё скриншот» five minutes after the consultant wrote goes to the ticket."""
    verdict = continues("вот ещё скриншот", enhancement(SOON), replied=False)
    assert verdict is Verdict.RECENT
    assert verdict.attach


def test_the_recent_window_is_inclusive() -> None:
    """Exactly at the end of the window the message still continues the ticket."""
    assert continues("и ещё вопрос", enhancement(RECENT), replied=False).attach


def test_a_message_long_after_about_something_else_is_asked_about() -> None:
    """Three hours later, a question about the bank statement is not about the report."""
    verdict = continues("Как загрузить выписку из банка?", enhancement(LATER), replied=False)
    assert verdict is Verdict.LATE
    assert not verdict.attach


def test_a_message_long_after_about_the_same_thing_continues_the_ticket() -> None:
    """Three hours later, a word about the sales report's column is still that request."""
    text = "По отчёту по продажам: колонку с менеджером лучше поставить второй"
    verdict = continues(text, enhancement(LATER), replied=False)
    assert verdict is Verdict.CLOSE
    assert verdict.attach


def test_a_photo_without_caption_long_after_is_asked_about() -> None:
    """Nothing tells what a bare screenshot sent hours later is about: ask."""
    assert continues("", enhancement(LATER), replied=False) is Verdict.LATE


def test_an_unknown_last_exchange_counts_as_long_ago() -> None:
    """With no exchange recorded, only a close text continues the ticket."""
    assert continues("Как загрузить выписку?", enhancement(None), replied=False) is Verdict.LATE


def test_urgent_words_about_the_same_ticket_are_not_a_new_problem() -> None:
    """«Срочно» about the same report is a nudge, not a new outage."""
    ticket = Exchange(
        text="Не формируется отчёт по продажам за квартал",
        priority=Priority.MEDIUM,
        since_last=LATER,
    )
    verdict = continues("Срочно нужен отчёт по продажам, директор ждёт", ticket, replied=False)
    assert verdict is Verdict.CLOSE


def test_urgent_words_about_something_else_are_asked_about() -> None:
    """«Срочно» about something else than a P3 ticket is asked about even right after."""
    ticket = Exchange(
        text="Не формируется отчёт по продажам за квартал",
        priority=Priority.MEDIUM,
        since_last=SOON,
    )
    verdict = continues("Срочно! Не печатаются этикетки на складе", ticket, replied=False)
    assert verdict is Verdict.URGENT


def test_an_urgent_ticket_is_continued_by_more_of_the_same_urgency() -> None:
    """On an open P1 outage, «у всех всё ещё не работает» is a follow-up."""
    ticket = Exchange(
        text="База 1С не запускается у всех", priority=Priority.CRITICAL, since_last=SOON
    )
    assert continues("у всех всё ещё не работает", ticket, replied=False) is Verdict.RECENT


def test_close_texts_share_subject_words_in_other_forms() -> None:
    """Stems meet other forms of a word; greetings and common words do not count."""
    assert close_to("отчёта по продажам", "отчёт продажи")
    assert not close_to("Здравствуйте, ошибка, помогите", "Здравствуйте, ошибка при печати")
