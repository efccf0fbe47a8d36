"""The FAQ learns from use (issue 16), through the sandbox: an entry users rejected for
a kind of question stops being offered for it, and the entry a consultant answered a
ticket with is recorded on the FAQ step that became that ticket."""

from __future__ import annotations

from sqlalchemy import select

from bot.compose import App
from storage.tables import FaqLogRow
from tests.e2e.desk import CONSULTANT, STAFF_CHAT, USER, Desk, text_of

OFFER = "уже есть ответ"
QUESTIONS = [
    "Не закрывается месяц, ошибка при расчете себестоимости",
    "Ошибка при расчёте себестоимости, не закрывается месяц",
    "Месяц не закрывается: ошибка расчета себестоимости",
]
OTHERS = [1011, 1012]


async def _join(desk: Desk, user_id: int, name: str) -> None:
    await desk.control.create_user(user_id, name)
    bound = await desk.say(user_id, user_id, "/start demo")
    await desk.bot_says(user_id, "Вы подключены", after=bound)


async def _reject(desk: Desk, user_id: int, question: str) -> int:
    """The user asks, is offered the month-closing entry and presses «Не то»."""
    asked = await desk.say(user_id, user_id, question)
    offer = await desk.bot_says(user_id, OFFER, after=asked)
    assert "Не закрывается месяц" in text_of(offer)
    await desk.press(user_id, user_id, offer, "Не то")
    await desk.bot_says(user_id, "зарегистрирована", after=asked)
    return asked


async def test_an_entry_rejected_twice_for_a_kind_of_question_is_not_offered_a_third_time(
    desk: Desk, desk_app: App
) -> None:
    """Two users press «Не то» under the month-closing entry for the same question in
    their own words; a third user asking it again gets no suggestion: the request is
    registered at once. Other questions still get their answers."""
    assert desk_app.kb.confident(QUESTIONS[2])[0].entry.id == "close-month-cost"
    await _join(desk, OTHERS[0], "Ольга")
    await _join(desk, OTHERS[1], "Павел")
    await _reject(desk, USER, QUESTIONS[0])
    await _reject(desk, OTHERS[0], QUESTIONS[1])

    asked = await desk.say(OTHERS[1], OTHERS[1], QUESTIONS[2])
    await desk.bot_says(OTHERS[1], "зарегистрирована", after=asked)
    later = await desk.control.messages(OTHERS[1], after=asked)
    assert not [m for m in later if OFFER in text_of(m)]
    async with desk_app.db.uow() as uow:
        steps = list(await uow.session.scalars(select(FaqLogRow).order_by(FaqLogRow.id)))
    assert [s.outcome for s in steps] == ["not_it", "not_it", "unanswered"]
    assert steps[0].shown[0] == {
        "id": "close-month-cost",
        "score": steps[0].shown[0]["score"],
        "rejected": True,
    }
    assert desk_app.kb.confident("не могу зайти в базу, пишет база заблокирована")  # others stay


async def test_the_entry_a_consultant_saves_from_a_ticket_is_recorded_on_its_faq_step(
    desk: Desk, desk_app: App
) -> None:
    """A request the FAQ could not answer becomes a ticket; the consultant's answer,
    saved with /faq, is the entry recorded for that FAQ step (its outcome unchanged)."""
    asked = await desk.say(USER, USER, "Кассир не видит кнопку возврата в РМК")
    await desk.bot_says(USER, "зарегистрирована", after=asked)
    topic = await desk.topic_of("DEMO-1")
    thread = topic["message_thread_id"]
    answer = await desk.say(
        CONSULTANT,
        STAFF_CHAT,
        "Откройте настройки РМК и включите кнопку «Возврат» для профиля кассира.",
        message_thread_id=thread,
    )
    saved = await desk.say(
        CONSULTANT, STAFF_CHAT, "/faq", message_thread_id=thread, reply_to_message_id=answer
    )
    note = await desk.bot_says(STAFF_CHAT, "Сохранено в базу знаний", thread_id=thread, after=saved)
    async with desk_app.db.uow() as uow:
        step = await uow.session.scalar(select(FaqLogRow))
    assert step is not None
    assert step.outcome == "unanswered"
    assert step.chosen is not None
    assert f"({step.chosen})" in text_of(note)
