"""Request forms through the sandbox: ``/new``, one question a message with buttons,
validation, «Назад» and «Отмена», a form offered for a first message, a form surviving a
restart, the ticket's subject and card built from the answers."""

from __future__ import annotations

from pathlib import Path

from bot.compose import App
from desk.enums import Category, Priority, Status
from sandbox.server import SandboxHandle
from tests.e2e.catalogue import (
    answer,
    join_people,
    lines_of,
    send,
    start_form,
    tap,
)
from tests.e2e.conftest import Product
from tests.e2e.desk import STAFF_CHAT, USER, Desk, Message, buttons, text_of


async def _card(desk: Desk, number: str) -> Message:
    topic = await desk.topic_of(number)
    return await desk.wait_for(
        STAFF_CHAT,
        lambda m: number in text_of(m) and "Клиент:" in text_of(m),
        thread_id=topic["message_thread_id"],
        what="the card",
    )


async def test_new_lists_the_types_and_the_access_form_registers_a_ticket(
    desk: Desk, desk_app: App
) -> None:
    """/new shows the five types; the access form asks one question a message (the base
    with buttons, the optional end date with «Пропустить»), shows a summary, and the
    ticket's subject is built from the answers; the card lists them."""
    await join_people(desk)
    sent = await desk.say(USER, USER, "/new")
    types = await desk.bot_says(USER, "Выберите вид заявки", after=sent)
    assert [label for label, _ in buttons(types)] == [
        "Доступ и права",
        "Изменение НСИ",
        "Доработка",
        "Ошибка / инцидент",
        "Консультация",
    ]
    await desk.press(USER, USER, types, "Доступ и права")
    who = await desk.bot_says(USER, "Кому нужен доступ", after=types["message_id"])
    assert "1 из 6" in text_of(who)
    assert [label for label, _ in buttons(who)] == ["Отмена"]  # no «Назад» on the first
    base = await answer(desk, who, "Иванова Анна Сергеевна", "В какой базе")
    assert [label for label, _ in buttons(base)][:4] == ["БП", "ЗУП", "УТ", "ERP"]
    roles = await tap(desk, base, "БП", "Какие роли")
    start = await answer(desk, roles, "Бухгалтер", "С какой даты")
    until = await answer(desk, start, "15.03.2030", "До какой даты")
    assert "Пропустить" in [label for label, _ in buttons(until)]
    reason = await tap(desk, until, "Пропустить", "Для чего нужен доступ")
    summary = await answer(desk, reason, "Новая сотрудница бухгалтерии", "Проверьте заявку")
    assert "Кому: Иванова Анна Сергеевна" in lines_of(summary)
    assert "По: —" in lines_of(summary)
    told = await send(desk, summary)
    assert "Доступ: Иванова А. С. — БП, роль Бухгалтер" in text_of(told)
    assert "согласует Алексей Морозов" in text_of(told)
    async with desk_app.db.uow() as uow:
        ticket = await uow.tickets.get("DEMO-1")
    assert ticket.subject == "Доступ: Иванова А. С. — БП, роль Бухгалтер"
    assert ticket.category is Category.ACCESS
    assert ticket.priority is Priority.LOW
    assert ticket.status is Status.APPROVAL
    card = await _card(desk, "DEMO-1")
    assert "Вид: Доступ и права" in text_of(card)
    assert "Роли: Бухгалтер" in lines_of(card)
    assert "С: 15.03.2030" in lines_of(card)
    assert "ждём согласования клиента" in text_of(card)


async def test_wrong_answers_are_refused_with_a_clear_line(desk: Desk, desk_app: App) -> None:
    """An impossible date, an end before the start, an empty required answer: each gets
    one clear line and the same question again; the form does not move on."""
    who = await start_form(desk, "Доступ и права", "Кому нужен доступ")
    base = await answer(desk, who, "Петров Пётр", "В какой базе")
    roles = await tap(desk, base, "ЗУП", "Какие роли")
    start = await answer(desk, roles, "Кадровик", "С какой даты")
    bad = await answer(desk, start, "31.02.2030", "Не понял дату")
    assert "15.03.2027" in text_of(bad)
    again = await desk.bot_says(USER, "С какой даты", after=bad["message_id"])
    until = await answer(desk, again, "10.04.2030", "До какой даты")
    early = await answer(desk, until, "01.04.2030", "раньше, чем «С»")
    await desk.bot_says(USER, "До какой даты", after=early["message_id"])
    async with desk_app.db.uow() as uow:
        assert await uow.tickets.list() == []


async def test_back_goes_to_the_previous_question_and_cancel_drops_the_form(
    desk: Desk, desk_app: App
) -> None:
    """«Назад» re-asks the question before, showing the answer given; a new answer
    replaces it; «Отмена» ends the form without a ticket, and its old buttons are stale."""
    who = await start_form(desk, "Доступ и права", "Кому нужен доступ")
    base = await answer(desk, who, "Сидоров", "В какой базе")
    back = await tap(desk, base, "Назад", "Кому нужен доступ")
    assert "Сейчас: Сидоров" in text_of(back)
    base = await answer(desk, back, "Сидорова Мария", "В какой базе")
    roles = await tap(desk, base, "УТ", "Какие роли")
    await tap(desk, roles, "Отмена", "Форму отменил")
    result = await desk.control.click(
        USER, USER, base["message_id"], buttons(base)[0][1], wait=desk.timeout, check_button=False
    )
    assert "не действует" in str(result)
    async with desk_app.db.uow() as uow:
        assert await uow.tickets.list() == []


async def test_a_first_message_that_clearly_asks_for_access_offers_the_form(
    desk: Desk, desk_app: App
) -> None:
    """«Заведите пользователя …» gets the access form offered; «Заполнить форму» asks its
    questions, and the card keeps the first message under the answers."""
    await join_people(desk)
    sent = await desk.say(USER, USER, "Заведите пользователя для новой кассирши")
    offer = await desk.bot_says(USER, "Похоже, это заявка «Доступ и права»", after=sent)
    assert "6 вопросов" in text_of(offer)
    who = await tap(desk, offer, "Заполнить форму", "Кому нужен доступ")
    base = await answer(desk, who, "Орлова Вера", "В какой базе")
    roles = await answer(desk, base, "Розница", "Какие роли")  # «other = true»: typed
    start = await answer(desk, roles, "как у Смирновой", "С какой даты")
    until = await tap(desk, start, "Завтра", "До какой даты")
    reason = await tap(desk, until, "Пропустить", "Для чего")
    summary = await answer(desk, reason, "Работа на кассе", "Проверьте заявку")
    await send(desk, summary)
    card = await _card(desk, "DEMO-1")
    assert "База: Розница" in lines_of(card)
    assert "Сообщение: Заведите пользователя для новой кассирши" in lines_of(card)


async def test_sent_as_it_is_the_message_takes_todays_path(desk: Desk, desk_app: App) -> None:
    """«Отправить как есть» under the offer registers the message as today: a ticket from
    the text, its category guessed; no form is left behind."""
    sent = await desk.say(USER, USER, "Новый склад надо завести в УТ")
    offer = await desk.bot_says(USER, "Похоже, это заявка «Изменение НСИ»", after=sent)
    await desk.press(USER, USER, offer, "как есть")
    told = await desk.bot_says(USER, "зарегистрирована", after=offer["message_id"])
    assert "Ответственный" in text_of(told)
    async with desk_app.db.uow() as uow:
        ticket = await uow.tickets.get("DEMO-1")
    assert ticket.text == "Новый склад надо завести в УТ"


async def test_writing_again_instead_of_answering_the_offer_keeps_the_message(
    desk: Desk, desk_app: App
) -> None:
    """A user who ignores the offer and writes on: the held message is registered as it
    is first, the new one then goes on its way (added to that ticket)."""
    sent = await desk.say(USER, USER, "Добавьте права на документ Поступление")
    await desk.bot_says(USER, "Похоже, это заявка «Доступ и права»", after=sent)
    more = await desk.say(USER, USER, "Это для Смирновой, бухгалтера")
    await desk.bot_says(USER, "DEMO-1", after=more)
    async with desk_app.db.uow() as uow:
        tickets = await uow.tickets.list()
    assert [t.text for t in tickets] == ["Добавьте права на документ Поступление"]


async def test_the_master_data_form_registers_without_approval(desk: Desk, desk_app: App) -> None:
    """«Изменение НСИ» needs no approval: its SLA runs at once and the user is told
    the due times."""
    sent = await desk.say(USER, USER, "/new")
    types = await desk.bot_says(USER, "Выберите вид заявки", after=sent)
    store = await tap(desk, types, "Изменение НСИ", "Какой справочник")
    what = await tap(desk, store, "Склады", "Что добавить или изменить")
    file = await answer(desk, what, "Новый склад «Восток-2»", "Есть таблица")
    summary = await tap(desk, file, "Пропустить", "Проверьте заявку")
    told = await send(desk, summary)
    assert "НСИ: Склады — Новый склад «Восток-2»" in text_of(told)
    assert "Ответим:" in text_of(told)
    async with desk_app.db.uow() as uow:
        assert (await uow.tickets.get("DEMO-1")).status is Status.NEW


async def test_an_attachment_answer_goes_into_the_topic(
    desk: Desk, desk_app: App, tmp_path: Path
) -> None:
    """The master-data form's spreadsheet: a message without a file is refused; the file is
    taken, named on the card and copied into the ticket's topic."""
    types_sent = await desk.say(USER, USER, "/new")
    types = await desk.bot_says(USER, "Выберите вид заявки", after=types_sent)
    store = await tap(desk, types, "Изменение НСИ", "Какой справочник")
    what = await answer(desk, store, "Номенклатура", "Что добавить или изменить")
    file = await answer(desk, what, "Новые позиции из прайса", "Есть таблица")
    refused = await answer(desk, file, "сейчас пришлю", "нужен файл")
    sheet = tmp_path / "позиции.xlsx"
    sheet.write_bytes(b"PK\x03\x04 not really a spreadsheet")
    sent = await desk.control.send(USER, USER, "", file=sheet)
    summary = await desk.bot_says(USER, "Проверьте заявку", after=max(sent, refused["message_id"]))
    assert "Файл: позиции.xlsx" in lines_of(summary)
    await send(desk, summary)
    topic = await desk.topic_of("DEMO-1")
    await desk.wait_for(
        STAFF_CHAT,
        lambda m: bool(m.get("document")),
        thread_id=topic["message_thread_id"],
        what="the spreadsheet in the topic",
    )


async def test_a_half_filled_form_survives_a_restart(
    seeded_sandbox: SandboxHandle, product: Product
) -> None:
    """The bot stops after the second answer; started again, the user's next answer goes
    on from the third question, and the form ends in one ticket with every answer."""
    desk = Desk(seeded_sandbox)
    async with product.run():
        who = await start_form(desk, "Доступ и права", "Кому нужен доступ")
        base = await answer(desk, who, "Кузнецова Ирина", "В какой базе")
        roles = await tap(desk, base, "ERP", "Какие роли")
    async with product.run() as app:
        start = await answer(desk, roles, "Кладовщик", "С какой даты")
        assert "4 из 6" in text_of(start)
        until = await answer(desk, start, "01.06.2030", "До какой даты")
        reason = await answer(desk, until, "31.12.2030", "Для чего")
        summary = await answer(desk, reason, "Инвентаризация", "Проверьте заявку")
        assert "База: ERP" in lines_of(summary)
        await send(desk, summary)
        async with app.db.uow() as uow:
            ticket = await uow.tickets.get("DEMO-1")
        assert ticket.subject == "Доступ: Кузнецова И. — ERP, роль Кладовщик"
