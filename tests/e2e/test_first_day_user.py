"""A user's first day (issue 12): requests go where the user means them, an unknown
command is not a request, a FAQ suggestion says what happens, texts read right."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, update

from bot.compose import App
from bot.jobs.housekeeping import register_idle_once
from storage.tables import FaqLogRow, MessageLinkRow
from tests.e2e.desk import CONSULTANT, STAFF_CHAT, USER, Desk, Message, buttons, text_of

ENHANCEMENT = "Просим доработать отчёт по продажам: добавить колонку с менеджером"
FAQ_QUESTION = "база заблокирована, не могу зайти"
PRINTER = "Принтер в бухгалтерии печатает пустые листы"


async def _registered(desk: Desk, text: str) -> Message:
    sent = await desk.say(USER, USER, text)
    return await desk.bot_says(USER, "зарегистрирована", after=sent)


async def _another(desk: Desk, text: str) -> Message:
    """A second request while one is open: whether it was added or asked about, the user
    says it is a new one."""
    sent = await desk.say(USER, USER, text)

    def about_it(m: Message) -> bool:
        return m["from"]["is_bot"] and ("Добавил" in text_of(m) or "новая заявка" in text_of(m))

    answer = await desk.wait_for(USER, about_it, after=sent, what="added or asked")
    await desk.press(USER, USER, answer, "новая заявка")
    return await desk.bot_says(USER, "зарегистрирована", after=answer["message_id"])


async def _bot_messages(desk: Desk, after: int) -> list[Message]:
    found = await desk.control.messages(USER, after=after)
    return [m for m in found if m["from"]["is_bot"]]


async def _tickets(app: App) -> list[str]:
    async with app.db.uow() as uow:
        return sorted(t.number for t in await uow.tickets.list(requester_id=USER))


async def _age_exchanges(app: App, number: str, by: timedelta) -> None:
    """Move a ticket's recorded exchanges into the past (as if written ``by`` ago)."""
    async with app.db.uow() as uow:
        ticket = await uow.tickets.get(number)
        await uow.session.execute(
            update(MessageLinkRow)
            .where(MessageLinkRow.ticket_id == ticket.id)
            .values(at=datetime.now(UTC) - by)
        )


async def test_an_outage_written_after_an_enhancement_request_is_asked_about(
    desk: Desk, desk_app: App
) -> None:
    """«не работает 1С у всех, срочно!» is not silently added to an open P5 request: the
    user is asked «Это новая заявка или дополнение к DEMO-1?» and «новая» makes DEMO-2."""
    confirmation = await _registered(desk, ENHANCEMENT)
    assert "P5" in text_of(confirmation)
    sent = await desk.say(USER, USER, "не работает 1С у всех, срочно!")
    asked = await desk.bot_says(USER, "Это новая заявка или дополнение к", after=sent)
    assert "DEMO-1" in text_of(asked)
    labels = [label for label, _ in buttons(asked)]
    assert labels == ["Дополнение к DEMO-1", "Это новая заявка"]
    assert not [m for m in await _bot_messages(desk, sent) if "Добавил" in text_of(m)]
    await desk.press(USER, USER, asked, "новая заявка")
    await desk.bot_says(USER, "DEMO-2", after=asked["message_id"])
    assert await _tickets(desk_app) == ["DEMO-1", "DEMO-2"]


async def test_a_blocked_shipment_after_an_enhancement_request_is_asked_about(
    desk: Desk, desk_app: App
) -> None:
    """A second, unrelated and urgent problem (a blocked shipment) is asked about too;
    «Дополнение к DEMO-1» then adds it there after all."""
    await _registered(desk, ENHANCEMENT)
    sent = await desk.say(USER, USER, "Не можем отгрузить товар, машина стоит под погрузкой")
    asked = await desk.bot_says(USER, "Это новая заявка или дополнение к DEMO-1", after=sent)
    await desk.press(USER, USER, asked, "Дополнение")
    await desk.bot_says(USER, "Добавил к заявке", after=asked["message_id"])
    topic = await desk.topic_of("DEMO-1")
    await desk.bot_says(STAFF_CHAT, "машина стоит", thread_id=topic["message_thread_id"])
    assert await _tickets(desk_app) == ["DEMO-1"]


async def test_a_follow_up_soon_after_is_added_and_says_what_happens_next(
    desk: Desk, desk_app: App
) -> None:
    """A plain follow-up right after registration is added; the confirmation says the next
    30 minutes of messages go there too, and the next one does."""
    await _registered(desk, PRINTER)
    first = await desk.say(USER, USER, "Модель принтера HP LaserJet 1020")
    added = await desk.bot_says(USER, "Добавил к заявке", after=first)
    assert "в ближайшие 30 минут, тоже добавлю к ней" in text_of(added)
    second = await desk.say(USER, USER, "Драйвер переустанавливали вчера")
    await desk.bot_says(USER, "Добавил к заявке", after=second)
    assert await _tickets(desk_app) == ["DEMO-1"]


async def test_a_message_long_after_about_something_else_is_asked_about(
    desk: Desk, desk_app: App
) -> None:
    """Three hours after the last exchange, a question about something else is asked about."""
    await _registered(desk, PRINTER)
    await _age_exchanges(desk_app, "DEMO-1", timedelta(hours=3))
    other = await desk.say(USER, USER, "Как загрузить выписку из банка?")
    await desk.bot_says(USER, "Это новая заявка или дополнение к DEMO-1", after=other)


async def test_a_message_long_after_about_the_ticket_is_added(desk: Desk, desk_app: App) -> None:
    """Three hours after the last exchange, a message about the same printer is still
    added without asking."""
    await _registered(desk, PRINTER)
    await _age_exchanges(desk_app, "DEMO-1", timedelta(hours=3))
    same = await desk.say(USER, USER, "Принтер в бухгалтерии снова печатает пустые листы")
    await desk.bot_says(USER, "Добавил к заявке DEMO-1", after=same)


async def test_one_burst_of_messages_gets_one_question(desk: Desk, desk_app: App) -> None:
    """With two open tickets, three messages in a row are asked about once; the answer
    takes all three to the chosen ticket, as the question said it would."""
    await _registered(desk, PRINTER)
    await _another(desk, "Не можем отгрузить товар, ошибка при проведении реализации")
    first = await desk.say(USER, USER, "Добрый день")
    asked = await desk.bot_says(USER, "К какой это относится", after=first)
    assert "туда же" in text_of(asked)
    await desk.say(USER, USER, "Лист выходит совсем белый")
    last = await desk.say(USER, USER, "Картридж новый")
    await desk.press(USER, USER, asked, "DEMO-1")
    await desk.bot_says(USER, "Добавил к заявке", after=last)
    topic = await desk.topic_of("DEMO-1")
    await desk.bot_says(STAFF_CHAT, "Картридж новый", thread_id=topic["message_thread_id"])
    await desk.bot_says(STAFF_CHAT, "совсем белый", thread_id=topic["message_thread_id"])
    said = [text_of(m) for m in await _bot_messages(desk, first)]
    assert sum("К какой это относится" in t for t in said) == 1
    assert sum("Добавил к заявке" in t for t in said) == 1


async def test_an_unknown_command_gets_help_and_no_ticket(desk: Desk, desk_app: App) -> None:
    """/ticket is not a request: the user gets the help, and no ticket «/ticket» appears."""
    sent = await desk.say(USER, USER, "/ticket")
    told = await desk.bot_says(USER, "Команды /ticket у меня нет", after=sent)
    assert "/my" in text_of(told)
    assert "Напишите проблему одним сообщением" in text_of(told)
    assert await _tickets(desk_app) == []


async def test_a_faq_suggestion_says_the_request_is_not_registered_yet(desk: Desk) -> None:
    """The suggestion says plainly that nothing is registered yet and what each button
    and silence do."""
    sent = await desk.say(USER, USER, FAQ_QUESTION)
    offer = text_of(await desk.bot_says(USER, "уже есть ответ", after=sent))
    assert "пока не регистрировал" in offer
    assert "«👍 Помогло»" in offer
    assert "«Не то, зарегистрировать заявку» — сразу зарегистрирую" in offer
    assert "через 15 минут" in offer
    assert "как только вы напишете что-то ещё" in offer


async def test_writing_again_instead_of_pressing_registers_the_request(
    desk: Desk, desk_app: App
) -> None:
    """A user who ignores the FAQ buttons and writes again gets the ticket, with the new
    message added to it."""
    sent = await desk.say(USER, USER, FAQ_QUESTION)
    offer = await desk.bot_says(USER, "уже есть ответ", after=sent)
    again = await desk.say(USER, USER, "Пишет, что база заблокирована другим пользователем")
    await desk.bot_says(USER, "зарегистрирована", after=offer["message_id"])
    await desk.bot_says(USER, "Добавил к заявке DEMO-1", after=again)
    topic = await desk.topic_of("DEMO-1")
    await desk.bot_says(STAFF_CHAT, "другим пользователем", thread_id=topic["message_thread_id"])
    async with desk_app.db.uow() as uow:
        outcomes = list(await uow.session.scalars(select(FaqLogRow.outcome)))
    assert outcomes == ["ignored"]


async def test_a_thank_you_instead_of_a_press_counts_as_helped(desk: Desk, desk_app: App) -> None:
    """«Спасибо, помогло!» under a suggestion is the same as «Помогло»: no ticket."""
    sent = await desk.say(USER, USER, FAQ_QUESTION)
    offer = await desk.bot_says(USER, "уже есть ответ", after=sent)
    await desk.say(USER, USER, "Спасибо, помогло!")
    await desk.bot_says(USER, "Рад, что помогло", after=offer["message_id"])
    assert await _tickets(desk_app) == []


async def test_a_faq_suggestion_left_alone_is_registered_after_the_set_time(
    desk: Desk, desk_app: App
) -> None:
    """Nobody presses anything: once 15 minutes have passed, the periodic job registers it."""
    sent = await desk.say(USER, USER, FAQ_QUESTION)
    offer = await desk.bot_says(USER, "уже есть ответ", after=sent)
    assert await register_idle_once(desk_app) == 0  # not yet: the time is not up
    async with desk_app.db.uow() as uow:
        past = datetime.now(UTC) - timedelta(minutes=16)
        await uow.session.execute(update(FaqLogRow).values(at=past))
    assert await register_idle_once(desk_app) == 1
    await desk.bot_says(USER, "зарегистрирована", after=offer["message_id"])
    assert await register_idle_once(desk_app) == 0
    assert await _tickets(desk_app) == ["DEMO-1"]


async def test_a_split_corrects_the_confirmation_and_names_the_new_ticket(
    desk: Desk, desk_app: App
) -> None:
    """«Это новая заявка» under «Добавил к заявке DEMO-1» makes DEMO-2 at once; that
    confirmation now says so, and the old topic's notice names DEMO-2."""
    await _registered(desk, PRINTER)
    extra = await desk.say(USER, USER, "И ещё кассир не видит кнопку возврата")
    added = await desk.bot_says(USER, "Добавил к заявке", after=extra)
    await desk.press(USER, USER, added, "новая заявка")
    await desk.bot_says(USER, "зарегистрирована", after=added["message_id"])

    async def corrected() -> bool:
        found = await desk.control.messages(USER, after=added["message_id"] - 1)
        text = text_of(found[0])
        return "не добавлено к заявке DEMO-1" in text and "DEMO-2" in text

    await desk.until(corrected, "the corrected confirmation")
    topic = await desk.topic_of("DEMO-1")
    note = await desk.bot_says(
        STAFF_CHAT, "отдельной заявкой", thread_id=topic["message_thread_id"]
    )
    assert "DEMO-2" in text_of(note)


async def test_the_ticket_view_names_a_document_by_its_name(
    desk: Desk, desk_app: App, tmp_path: Path
) -> None:
    """A document in the conversation, the user's or the consultant's, reads
    «документ: счёт.pdf», not a paper clip."""
    await _registered(desk, PRINTER)
    invoice = tmp_path / "счёт.pdf"
    invoice.write_bytes(b"%PDF-1.4 test")
    shot = await desk.say(USER, USER, "", file=invoice)
    await desk.bot_says(USER, "Добавил к заявке", after=shot)
    act = tmp_path / "акт сверки.pdf"
    act.write_bytes(b"%PDF-1.4 test")
    topic = await desk.topic_of("DEMO-1")
    await desk.say(
        CONSULTANT, STAFF_CHAT, "", file=act, message_thread_id=topic["message_thread_id"]
    )
    await desk.wait_for(USER, lambda m: "document" in m, after=shot + 1, what="the act")
    asked = await desk.say(USER, USER, "/my")
    listing = await desk.bot_says(USER, "Ваши заявки", after=asked)
    await desk.press(USER, USER, listing, "DEMO-1")
    view = text_of(await desk.bot_says(USER, "Переписка", after=listing["message_id"]))
    assert "документ: счёт.pdf" in view
    assert "документ: акт сверки.pdf" in view
    assert "📎" not in view


async def test_the_closing_question_says_at_what_time_it_closes(desk: Desk) -> None:
    """«закроется сама сегодня в 12:39», a moment, not «до 12:39», a deadline."""
    confirmation = await _registered(desk, PRINTER)
    topic = await desk.topic_of("DEMO-1")
    await desk.bot_says(STAFF_CHAT, "DEMO-1", thread_id=topic["message_thread_id"])
    await desk.say(CONSULTANT, STAFF_CHAT, "/resolve", message_thread_id=topic["message_thread_id"])
    asked = text_of(await desk.bot_says(USER, "Решено?", after=confirmation["message_id"]))
    assert re.search(r"закроется сама \S.* в \d\d:\d\d МСК", asked), asked
    assert " до " not in asked


async def test_long_ticket_labels_are_cut_at_a_word(desk: Desk) -> None:
    """Buttons naming long tickets end at a whole word with «…»."""
    texts = [
        "Не формируется отчёт по продажам за квартал по всем складам и филиалам компании",
        "Не проводится реализация товаров и услуг, ошибка при записи документа в базе",
    ]
    await _registered(desk, texts[0])
    await _another(desk, texts[1])
    sent = await desk.say(USER, USER, "Добрый день")
    asked = await desk.bot_says(USER, "К какой это относится", after=sent)
    labels = sorted(label for label, _ in buttons(asked) if "DEMO-" in label)
    for number, label, text in zip(("DEMO-1", "DEMO-2"), labels, texts, strict=True):
        full = f"{number} · {text}"
        assert label.endswith("…")
        shown = label.removesuffix("…")
        assert full.startswith(shown), label
        assert full[len(shown)] in " ,", label  # the next character starts a new word
