"""Consultants at work in the staff forum: commands, notes, line 2, routing, FAQ from answers."""

from __future__ import annotations

from bot.compose import App
from desk.enums import Priority, Status
from desk.model import Line, Staff
from tests.e2e.desk import CONSULTANT, SECOND_CONSULTANT, STAFF_CHAT, USER, Desk, text_of

NO_FAQ = "Кассир не видит кнопку возврата в рабочем месте кассира"


async def _ticket(desk: Desk) -> tuple[int, int]:
    """Register a request; its topic's thread id and the user's last message id."""
    sent = await desk.say(USER, USER, NO_FAQ)
    confirmation = await desk.bot_says(USER, "зарегистрирована", after=sent)
    topic = await desk.topic_of("DEMO-1")
    await desk.bot_says(STAFF_CHAT, "DEMO-1", thread_id=topic["message_thread_id"])
    return topic["message_thread_id"], confirmation["message_id"]


async def test_priority_command_renames_the_topic_and_tells_the_user(
    desk: Desk, desk_app: App
) -> None:
    """/priority 1 changes the SLA, the topic name (edited, not re-created) and informs the user."""
    thread, last = await _ticket(desk)
    await desk.say(CONSULTANT, STAFF_CHAT, "/priority 1", message_thread_id=thread)
    told = await desk.bot_says(USER, "приоритет теперь", after=last)
    assert "P1" in text_of(told)

    async def renamed() -> bool:
        topics = await desk.control.topics(STAFF_CHAT)
        return len(topics) == 1 and "P1" in topics[0]["name"]

    await desk.until(renamed, "the topic renamed to P1")
    async with desk_app.db.uow() as uow:
        assert (await uow.tickets.get("DEMO-1")).priority is Priority.CRITICAL


async def test_notes_and_engineers_stay_internal_until_the_owner_passes_them_on(
    desk: Desk, desk_app: App
) -> None:
    """ "!" notes and a line-2 engineer's messages never reach the user by themselves;
    /pass in reply to the engineer's message sends it under the owner's name."""
    async with desk_app.db.uow() as uow:
        await uow.directory.put_staff(
            Staff(SECOND_CONSULTANT, "Борис Ким", "demo", Line.TWO, username="boris")
        )
    thread, last = await _ticket(desk)
    await desk.say(CONSULTANT, STAFF_CHAT, "/take", message_thread_id=thread)
    await desk.say(CONSULTANT, STAFF_CHAT, "!клиент путает кнопки", message_thread_id=thread)
    engineer = await desk.say(
        SECOND_CONSULTANT, STAFF_CHAT, "Права на возврат в профиле Кассир", message_thread_id=thread
    )
    passed = await desk.say(
        CONSULTANT, STAFF_CHAT, "/pass", message_thread_id=thread, reply_to_message_id=engineer
    )
    await desk.bot_says(STAFF_CHAT, "Передано клиенту", thread_id=thread, after=passed)
    relayed = await desk.bot_says(USER, "Права на возврат", after=last)
    assert "Анна Смирнова" in text_of(relayed)
    user_chat = " ".join(text_of(m) for m in await desk.control.messages(USER))
    assert "путает кнопки" not in user_chat
    assert user_chat.count("Права на возврат") == 1


async def test_routing_out_of_scope_names_the_contact_to_the_user(
    desk: Desk, desk_app: App
) -> None:
    """/route offers the contract's contacts; the choice routes the ticket and tells the user."""
    thread, last = await _ticket(desk)
    asked = await desk.say(CONSULTANT, STAFF_CHAT, "/route", message_thread_id=thread)
    choice = await desk.bot_says(STAFF_CHAT, "Кому передать", thread_id=thread, after=asked)
    await desk.press(CONSULTANT, STAFF_CHAT, choice, "ИТ-служба")
    told = await desk.bot_says(USER, "вне нашего договора", after=last)
    assert "it@demo.example" in text_of(told)
    async with desk_app.db.uow() as uow:
        assert (await uow.tickets.get("DEMO-1")).status is Status.ROUTED_OUT


async def test_history_shows_the_audit_trail_in_the_topic(desk: Desk) -> None:
    """/history lists the ticket's audit events in Russian, with names and Moscow time."""
    thread, _ = await _ticket(desk)
    await desk.say(CONSULTANT, STAFF_CHAT, "/take", message_thread_id=thread)
    await desk.say(CONSULTANT, STAFF_CHAT, "/escalate", message_thread_id=thread)
    asked = await desk.say(CONSULTANT, STAFF_CHAT, "/history", message_thread_id=thread)
    history = await desk.bot_says(STAFF_CHAT, "История DEMO-1", thread_id=thread, after=asked)
    lines = text_of(history).splitlines()[1:]
    assert "создана: P3 · средний" in lines[0]
    assert any("статус: новая → в работе" in line for line in lines)
    assert "Анна Смирнова · передана на 2-ю линию" in lines[-1]
    assert all(" МСК · " in line for line in lines)
    for raw in ("created", "status", "escalated", "staff:", "user:", "in_progress"):
        assert raw not in text_of(history)


async def test_faq_command_makes_an_answer_suggestible_at_once(desk: Desk, desk_app: App) -> None:
    """/faq on a consultant's answer saves an entry; the next user asking gets it suggested."""
    thread, last = await _ticket(desk)
    answer = await desk.say(
        CONSULTANT,
        STAFF_CHAT,
        "Откройте настройки РМК и включите кнопку «Возврат» для профиля кассира.",
        message_thread_id=thread,
    )
    await desk.bot_says(USER, "настройки РМК", after=last)
    saved = await desk.say(
        CONSULTANT, STAFF_CHAT, "/faq", message_thread_id=thread, reply_to_message_id=answer
    )
    await desk.bot_says(STAFF_CHAT, "Сохранено в базу знаний", thread_id=thread, after=saved)
    assert any("Кассир не видит кнопку" in e.title for e in desk_app.kb.entries)
    suggestions = desk_app.kb.confident("кассир не видит кнопку возврата")
    assert suggestions
    assert "возврат" in suggestions[0].entry.title.lower()


async def test_a_consultants_first_answer_puts_a_new_ticket_in_progress(
    desk: Desk, desk_app: App
) -> None:
    """Answering without «Взять» moves НОВАЯ → В РАБОТЕ, records the reaction, updates the card."""
    thread, last = await _ticket(desk)
    await desk.say(CONSULTANT, STAFF_CHAT, "Проверьте права кассира", message_thread_id=thread)
    await desk.bot_says(USER, "Проверьте права кассира", after=last)

    async def card_in_progress() -> bool:
        found = await desk.control.messages(STAFF_CHAT, message_thread_id=thread)
        return any("DEMO-1" in text_of(m) and "в работе" in text_of(m) for m in found)

    await desk.until(card_in_progress, "the card showing «в работе»")
    async with desk_app.db.uow() as uow:
        ticket = await uow.tickets.get("DEMO-1")
    assert ticket.status is Status.IN_PROGRESS
    assert ticket.sla is not None
    assert ticket.sla.reacted_at is not None


async def test_escalation_is_one_way_calls_line_2_and_confirms_the_press(
    desk: Desk, desk_app: App
) -> None:
    """«На 2-ю линию» escalates (a second press does not undo it), the topic gets a note
    mentioning the team's line-2 engineer, and the press is answered with a confirmation."""
    async with desk_app.db.uow() as uow:
        await uow.directory.put_staff(
            Staff(SECOND_CONSULTANT, "Борис Ким", "demo", Line.TWO, username="boris")
        )
    thread, _ = await _ticket(desk)
    card = await desk.bot_says(STAFF_CHAT, "DEMO-1", thread_id=thread)
    first = await desk.press(CONSULTANT, STAFF_CHAT, card, "2-ю линию")
    assert "передана на 2-ю линию" in str(first.get("answer"))
    note = await desk.bot_says(STAFF_CHAT, "@boris", thread_id=thread, after=card["message_id"])
    assert "DEMO-1" in text_of(note)
    again = await desk.press(CONSULTANT, STAFF_CHAT, card, "2-ю линию")
    assert "уже на 2-й линии" in str(again.get("answer"))
    sent = await desk.say(CONSULTANT, STAFF_CHAT, "/escalate", message_thread_id=thread)
    await desk.bot_says(STAFF_CHAT, "уже на 2-й линии", thread_id=thread, after=sent)
    async with desk_app.db.uow() as uow:
        ticket = await uow.tickets.get("DEMO-1")
    assert ticket.escalated
