"""The user's side: FAQ deflection, one-tap corrections, several open tickets, /my."""

from __future__ import annotations

from sqlalchemy import select

from bot.compose import App
from desk.enums import Priority
from storage.tables import FaqLogRow
from tests.e2e.desk import CONSULTANT, STAFF_CHAT, USER, Desk, button, forge_click, text_of

FAQ_QUESTION = "база заблокирована, не могу зайти"


async def test_a_helpful_suggestion_ends_the_request_as_a_deflection(
    desk: Desk, desk_app: App
) -> None:
    """ "Помогло" closes the conversation without a ticket; the FAQ log counts it."""
    sent = await desk.say(USER, USER, FAQ_QUESTION)
    offer = await desk.bot_says(USER, "уже есть ответ", after=sent)
    await desk.press(USER, USER, offer, "1.")
    answer = await desk.bot_says(USER, "заблокирован", after=offer["message_id"])
    await desk.press(USER, USER, answer, "Помогло")
    await desk.bot_says(USER, "Рад, что помогло", after=answer["message_id"])
    async with desk_app.db.uow() as uow:
        assert await uow.tickets.list() == []
        log = list(await uow.session.scalars(select(FaqLogRow)))
    assert [(row.outcome, row.chosen) for row in log] == [("helped", "database-locked")]


async def test_the_user_corrects_the_priority_with_one_tap(desk: Desk, desk_app: App) -> None:
    """Buttons under the confirmation change the priority; the new due times are told.
    (Lowering takes one tap; a raise to P1/P2 asks for a reason: tests/e2e/test_priority.py.)"""
    sent = await desk.say(USER, USER, "Нужно добавить пользователя Иванову в базу")
    confirmation = await desk.bot_says(USER, "зарегистрирована", after=sent)
    assert "P4" in text_of(confirmation)
    await desk.press(USER, USER, confirmation, "приоритет")
    choose = await desk.bot_says(USER, "Выберите приоритет", after=confirmation["message_id"])
    await desk.press(USER, USER, choose, "P5")
    told = await desk.bot_says(USER, "приоритет теперь", after=choose["message_id"])
    assert "Решим:" in text_of(told)
    async with desk_app.db.uow() as uow:
        assert (await uow.tickets.get("DEMO-1")).priority is Priority.BACKGROUND


async def test_with_two_open_tickets_the_bot_asks_which_one(desk: Desk, desk_app: App) -> None:
    """A message with two open tickets gets a choice; picking one adds it there."""
    first = await desk.say(USER, USER, "Кассир не видит кнопку возврата")
    one = await desk.bot_says(USER, "зарегистрирована", after=first)
    extra = await desk.say(USER, USER, "И ещё принтер этикеток не печатает")
    added = await desk.bot_says(USER, "Добавил к заявке", after=extra)
    await desk.press(USER, USER, added, "новая заявка")
    await desk.bot_says(USER, "DEMO-2", after=added["message_id"])
    question = await desk.say(USER, USER, "Есть новости?")
    ask = await desk.bot_says(USER, "К какой это относится", after=question)
    await desk.press(USER, USER, ask, "DEMO-1")
    topic = await desk.topic_of("DEMO-1")
    await desk.bot_says(STAFF_CHAT, "Есть новости?", thread_id=topic["message_thread_id"])
    assert one


async def test_my_lists_tickets_and_a_ticket_shows_its_public_history(desk: Desk) -> None:
    """/my lists the user's tickets; opening one shows the conversation without staff notes."""
    sent = await desk.say(USER, USER, "Кассир не видит кнопку возврата")
    await desk.bot_says(USER, "зарегистрирована", after=sent)
    topic = await desk.topic_of("DEMO-1")
    thread = topic["message_thread_id"]
    await desk.say(CONSULTANT, STAFF_CHAT, "!внутренняя заметка", message_thread_id=thread)
    await desk.say(CONSULTANT, STAFF_CHAT, "Проверьте профиль кассира", message_thread_id=thread)
    await desk.bot_says(USER, "Проверьте профиль", after=sent)
    asked = await desk.say(USER, USER, "/my")
    listing = await desk.bot_says(USER, "Ваши заявки", after=asked)
    assert "DEMO-1" in text_of(listing)
    await desk.press(USER, USER, listing, "DEMO-1")
    view = await desk.bot_says(USER, "Переписка", after=listing["message_id"])
    assert "Кассир не видит кнопку возврата" in text_of(view)
    assert "Проверьте профиль кассира" in text_of(view)
    assert "внутренняя" not in text_of(view)


async def test_a_which_ticket_prompt_is_taken_once(desk: Desk, desk_app: App) -> None:
    """Pressing «новая заявка» twice registers one ticket; a stale prompt changes nothing.

    The second press on the same prompt and a press on another of its buttons get
    the «уже обработан» alert instead of a ticket or a follow-up.
    """
    first = await desk.say(USER, USER, "Кассир не видит кнопку возврата")
    await desk.bot_says(USER, "зарегистрирована", after=first)
    extra = await desk.say(USER, USER, "И ещё принтер этикеток не печатает")
    added = await desk.bot_says(USER, "Добавил к заявке", after=extra)
    offer = button(added, "новая заявка")
    offered = [forge_click(desk.handle, USER, USER, added["message_id"], offer) for _ in "12"]
    question = await desk.say(USER, USER, "Есть новости?")
    ask = await desk.bot_says(USER, "К какой это относится", after=question)
    stale = [button(ask, "новая заявка"), button(ask, "новая заявка"), button(ask, "DEMO-1")]
    pressed = [forge_click(desk.handle, USER, USER, ask["message_id"], d) for d in stale]
    state = desk.handle.sandbox.state

    async def answered() -> bool:
        return all(state.callbacks[i].answered for i in offered + pressed)

    await desk.until(answered, "the answers to every press")
    listed = await desk.say(USER, USER, "/my")  # one chat's updates go in order
    await desk.bot_says(USER, "Ваши заявки", after=listed)
    for i in (offered[1], *pressed[1:]):
        assert "уже обработан" in str(state.callbacks[i].answer_text)
        assert state.callbacks[i].show_alert
    async with desk_app.db.uow() as uow:
        numbers = sorted(t.number for t in await uow.tickets.list(requester_id=USER))
    assert numbers == ["DEMO-1", "DEMO-2", "DEMO-3"]


async def test_a_thank_you_or_an_emoji_alone_is_not_registered(desk: Desk, desk_app: App) -> None:
    """With no open ticket, "спасибо", "👍" or "." get a hint how to ask, not a ticket;
    a real request right after is registered as usual."""
    last = None
    for text in ("Спасибо!", "👍", "."):
        last = await desk.say(USER, USER, text)
        hint = await desk.bot_says(USER, "опишите вопрос словами", after=last)
        assert "зарегистрирована" not in text_of(hint)
    async with desk_app.db.uow() as uow:
        assert await uow.tickets.list() == []
    sent = await desk.say(USER, USER, "Не проводится реализация, ошибка при записи")
    await desk.bot_says(USER, "зарегистрирована", after=sent)


async def test_a_follow_up_made_a_new_request_is_marked_in_the_old_topic(desk: Desk) -> None:
    """A message auto-added to the open ticket, then marked «новая заявка» by the user,
    becomes its own ticket, and the old ticket's topic is told not to answer it there."""
    first = await desk.say(USER, USER, "Кассир не видит кнопку возврата")
    await desk.bot_says(USER, "зарегистрирована", after=first)
    extra = await desk.say(USER, USER, "И ещё принтер этикеток не печатает")
    added = await desk.bot_says(USER, "Добавил к заявке", after=extra)
    await desk.press(USER, USER, added, "новая заявка")
    await desk.bot_says(USER, "DEMO-2", after=added["message_id"])
    topic = await desk.topic_of("DEMO-1")
    note = await desk.bot_says(
        STAFF_CHAT, "отдельной заявкой", thread_id=topic["message_thread_id"]
    )
    assert "отвечать на него не нужно" in text_of(note)
