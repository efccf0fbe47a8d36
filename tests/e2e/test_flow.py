"""The whole flow of the intake issue, through the sandbox with the real aiogram client."""

from __future__ import annotations

from pathlib import Path

from bot.compose import App
from desk.enums import Status
from tests.e2e.desk import CONSULTANT, STAFF_CHAT, USER, Desk, buttons, text_of
from tests.sandbox.images import png

QUESTION = "Не закрывается месяц, ошибка при расчете себестоимости"


async def test_request_travels_from_user_to_staff_and_back_until_closed(
    desk: Desk, desk_app: App, tmp_path: Path
) -> None:
    """User writes → declines the FAQ → ticket registered → topic and card → consultant
    answers → user gets it → user sends a screenshot → it is in the topic → resolve →
    user confirms and rates → closed with the rating; the audit chain verifies."""
    first = await desk.say(USER, USER, QUESTION)
    offer = await desk.bot_says(USER, "уже есть ответ", after=first)
    await desk.press(USER, USER, offer, "Не то")

    confirmation = await desk.bot_says(USER, "зарегистрирована", after=first)
    text = text_of(confirmation)
    assert "DEMO-1" in text
    assert "Ответственный: Анна Смирнова" in text or "Ответственный: Борис Ким" in text
    assert "Ответим:" in text
    assert "МСК" in text
    assert "P2" in text  # "не закрывается месяц" is a stopped critical process

    topic = await desk.topic_of("DEMO-1")
    assert "P2" in topic["name"]
    thread = topic["message_thread_id"]
    card = await desk.bot_says(STAFF_CHAT, "DEMO-1", thread_id=thread)
    assert QUESTION in text_of(card)
    assert "Взять" in [label for label, _ in buttons(card)]

    await desk.press(CONSULTANT, STAFF_CHAT, card, "Взять")
    answer_id = await desk.say(
        CONSULTANT,
        STAFF_CHAT,
        "Проверьте <b>учётную политику</b> за месяц",
        message_thread_id=thread,
    )
    reply = await desk.bot_says(USER, "учётную политику", after=confirmation["message_id"])
    assert "Анна Смирнова" in text_of(reply)

    shot = tmp_path / "screen.png"
    shot.write_bytes(png())
    shot_id = await desk.say(USER, USER, "вот скриншот", file=shot)
    copied = await desk.wait_for(
        STAFF_CHAT,
        lambda m: m["from"]["is_bot"] and "photo" in m and "вот скриншот" in text_of(m),
        thread_id=thread,
        after=answer_id,
        what="the screenshot in the topic",
    )
    assert copied["message_thread_id"] == thread
    await desk.bot_says(USER, "Добавил к заявке", after=shot_id)

    resolve_cmd = await desk.say(CONSULTANT, STAFF_CHAT, "/resolve", message_thread_id=thread)
    asked = await desk.bot_says(USER, "Решено?", after=shot_id)
    await desk.press(USER, USER, asked, "Да")
    rate = await desk.bot_says(USER, "Оцените", after=asked["message_id"])
    await desk.press(USER, USER, rate, "5")
    comment_ask = await desk.bot_says(USER, "комментарий", after=rate["message_id"])
    await desk.say(USER, USER, "Спасибо, всё быстро")
    await desk.bot_says(USER, "закрыта", after=comment_ask["message_id"])
    await desk.bot_says(STAFF_CHAT, "Оценка клиента", thread_id=thread, after=resolve_cmd)

    async with desk_app.db.uow() as uow:
        ticket = await uow.tickets.get("DEMO-1")
        assert ticket.status is Status.CLOSED
        assert ticket.sla is not None
        assert ticket.sla.reacted_at is not None
        events = [e.what for e in await uow.audit.for_ticket(ticket.id or 0)]
        assert events[0] == "created"
        assert "rating" in events
        assert "rating comment" in events
        assert await uow.audit.verify() == []
