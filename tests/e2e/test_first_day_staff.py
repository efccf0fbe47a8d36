"""A support team's first day, staff side (issue 12): only a real answer reaches the client
and counts as the reaction; the staff help and menu; mentions that make Telegram notify
the owner and, for a P1, the team on shift; /assign by name; /escalate with no engineer."""

from __future__ import annotations

from dataclasses import replace

from aiogram.types import BotCommandScopeChat

from bot.compose import App
from desk.enums import Priority, Status
from desk.model import Line
from sandbox._conversation import post
from tests.e2e.desk import (
    CONSULTANT,
    SECOND_CONSULTANT,
    STAFF_CHAT,
    USER,
    Desk,
    Message,
    text_of,
)

NO_FAQ = "Кассир не видит кнопку возврата в рабочем месте кассира"
OUTAGE = "у всех не работает 1С, срочно"
NAMES = {CONSULTANT: "Анна Смирнова", SECOND_CONSULTANT: "Борис Ким"}  # demo: duty, lead


def mentioned(message: Message) -> set[int]:
    """Telegram ids the message mentions (``tg://user?id=`` links: Telegram notifies them)."""
    entities = message.get("entities") or message.get("caption_entities") or []
    prefix = "tg://user?id="
    return {
        int(e["url"].removeprefix(prefix))
        for e in entities
        if e["type"] == "text_link" and e["url"].startswith(prefix)
    }


async def _ticket(desk: Desk, text: str = NO_FAQ, number: str = "DEMO-1") -> tuple[int, Message]:
    """Register a request: its topic's thread id and its card."""
    await desk.say(USER, USER, text)
    topic = await desk.topic_of(number)
    thread: int = topic["message_thread_id"]
    card = await desk.bot_says(STAFF_CHAT, number, thread_id=thread)
    return thread, card


async def _ticket_row(app: App, number: str = "DEMO-1"):  # type: ignore[no-untyped-def]
    async with app.db.uow() as uow:
        return await uow.tickets.get(number)


async def _card_when(desk: Desk, card: Message, part: str) -> Message:
    """The card (as edited by now) once it shows ``part``."""

    async def current() -> Message | None:
        found = await desk.control.messages(
            STAFF_CHAT, message_thread_id=card.get("message_thread_id")
        )
        now = next(m for m in found if m["message_id"] == card["message_id"])
        return now if part in text_of(now) else None

    result: Message = await desk.until(current, f"the card showing {part!r}")
    return result


async def test_commands_and_service_messages_never_reach_the_client_nor_count(
    desk: Desk, desk_app: App
) -> None:
    """/help, /help@bot, an unknown /команда, a «/» text and a service message in the topic
    reach nobody outside it and record no reaction; an unknown command is answered with the
    staff help; a command for another bot is left alone; a real answer then counts."""
    thread, _ = await _ticket(desk)
    bot_name = (await desk_app.bot.me()).username
    before = len(await desk.control.messages(USER))

    sent = await desk.say(CONSULTANT, STAFF_CHAT, "/help", message_thread_id=thread)
    await desk.bot_says(STAFF_CHAT, "/take — Взять заявку в работу", thread_id=thread, after=sent)
    sent = await desk.say(CONSULTANT, STAFF_CHAT, f"/help@{bot_name}", message_thread_id=thread)
    await desk.bot_says(STAFF_CHAT, "/assign — ", thread_id=thread, after=sent)
    await desk.say(CONSULTANT, STAFF_CHAT, "/stats@otherbot", message_thread_id=thread)
    state = desk.handle.sandbox.state
    topic = state.topics[(STAFF_CHAT, thread)]
    post(
        state,
        state.chats[STAFF_CHAT],
        state.users[CONSULTANT],
        {"forum_topic_edited": {"name": "Касса"}},
        topic=topic,
    )
    sent = await desk.say(CONSULTANT, STAFF_CHAT, "/new срочно", message_thread_id=thread)
    unknown = await desk.bot_says(STAFF_CHAT, "Команды /new нет", thread_id=thread, after=sent)
    assert "клиенту она не отправлена" in text_of(unknown)
    assert "/take — Взять заявку в работу" in text_of(unknown)
    sent = await desk.say(CONSULTANT, STAFF_CHAT, "/ подождите", message_thread_id=thread)
    await desk.bot_says(STAFF_CHAT, "начинаются с «/»", thread_id=thread, after=sent)
    answers = [
        m
        for m in await desk.control.messages(STAFF_CHAT, message_thread_id=thread)
        if m["from"]["is_bot"] and "Команды поддержки" in text_of(m)
    ]
    assert len(answers) == 4  # not for /stats@otherbot, nor the service message

    assert len(await desk.control.messages(USER)) == before
    ticket = await _ticket_row(desk_app)
    assert ticket.sla is not None
    assert ticket.sla.reacted_at is None
    assert ticket.status is Status.NEW

    await desk.say(CONSULTANT, STAFF_CHAT, "Проверьте права кассира", message_thread_id=thread)
    relayed = await desk.bot_says(USER, "Проверьте права кассира")
    assert "/help" not in text_of(relayed)
    ticket = await _ticket_row(desk_app)
    assert ticket.sla is not None
    assert ticket.sla.reacted_at is not None


async def test_staff_help_in_the_group_the_menu_and_a_private_chat(
    desk: Desk, desk_app: App
) -> None:
    """The staff group has its own command menu (Russian descriptions); /help in the
    group's general chat lists the staff commands; a consultant's /start and /help in a
    private chat get the staff help, not the client onboarding."""

    async def staff_menu() -> list[tuple[str, str]]:
        commands = await desk_app.bot.get_my_commands(scope=BotCommandScopeChat(chat_id=STAFF_CHAT))
        return [(c.command, c.description) for c in commands]

    menu = await desk.until(staff_menu, "the staff group's command menu")
    names = [name for name, _ in menu]
    for command in ("take", "assign", "priority", "escalate", "resolve", "note", "pass", "help"):
        assert command in names
    assert ("take", "Взять заявку в работу") in menu
    client_menu = await desk_app.bot.get_my_commands()
    assert "take" not in [c.command for c in client_menu]

    sent = await desk.say(CONSULTANT, STAFF_CHAT, "/help")
    general = await desk.bot_says(STAFF_CHAT, "Команды поддержки", after=sent)
    assert "message_thread_id" not in general
    assert "/escalate — Передать на 2-ю линию" in text_of(general)

    sent = await desk.say(CONSULTANT, CONSULTANT, "/start")
    hello = await desk.bot_says(CONSULTANT, "Вы сотрудник поддержки", after=sent)
    assert "/take — Взять заявку в работу" in text_of(hello)
    assert "приглашение" not in text_of(hello)
    sent = await desk.say(CONSULTANT, CONSULTANT, "/help")
    again = await desk.bot_says(CONSULTANT, "Команды поддержки", after=sent)
    assert "/my" not in text_of(again)


async def test_a_new_card_mentions_its_owner(desk: Desk, desk_app: App) -> None:
    """The card of a new ticket names its owner as a mention (Telegram notifies them)."""
    _, card = await _ticket(desk)
    owner = (await _ticket_row(desk_app)).owner_id
    assert mentioned(card) == {owner}
    assert f"Ответственный: {NAMES[owner]} — ещё не взята в работу" in text_of(card)


async def test_a_new_p1_alerts_the_team_on_shift(desk: Desk, desk_app: App) -> None:
    """A ticket registered as P1 gets, in its topic, an alert mentioning the duty person,
    the lead and the consultants on shift, right away (not at 80% of the target)."""
    thread, _ = await _ticket(desk, OUTAGE)
    assert (await _ticket_row(desk_app)).priority is Priority.CRITICAL
    alert = await desk.bot_says(STAFF_CHAT, "🚨", thread_id=thread)
    assert "новая заявка DEMO-1" in text_of(alert)
    assert f"Дежурный: {NAMES[CONSULTANT]}." in text_of(alert)
    assert f"Руководитель: {NAMES[SECOND_CONSULTANT]}." in text_of(alert)
    assert mentioned(alert) == {CONSULTANT, SECOND_CONSULTANT}


async def test_raising_to_p1_alerts_the_team_on_shift(desk: Desk, desk_app: App) -> None:
    """/priority 1 on a P3 ticket: the topic gets the P1 alert with the duty person and the
    lead mentioned; no alert for a P3."""
    thread, _ = await _ticket(desk)
    alerts = [
        m
        for m in await desk.control.messages(STAFF_CHAT, message_thread_id=thread)
        if "🚨" in text_of(m)
    ]
    assert alerts == []
    sent = await desk.say(CONSULTANT, STAFF_CHAT, "/priority 1", message_thread_id=thread)
    alert = await desk.bot_says(STAFF_CHAT, "повышен до P1", thread_id=thread, after=sent)
    assert mentioned(alert) == {CONSULTANT, SECOND_CONSULTANT}


async def test_a_reopened_ticket_mentions_its_owner(desk: Desk, desk_app: App) -> None:
    """The user answering «не решено» brings the ticket back; the topic notice mentions
    its owner. A consultant's /reopen does too."""
    thread, _ = await _ticket(desk)
    owner = (await _ticket_row(desk_app)).owner_id
    sent = await desk.say(CONSULTANT, STAFF_CHAT, "/resolve", message_thread_id=thread)
    ask = await desk.bot_says(USER, "Решено?")
    await desk.press(USER, USER, ask, "Нет")
    notice = await desk.bot_says(STAFF_CHAT, "не решена", thread_id=thread, after=sent)
    assert mentioned(notice) == {owner}
    assert text_of(notice).startswith(f"↩️ {NAMES[owner]}, пользователь ответил")

    await desk.say(CONSULTANT, STAFF_CHAT, "/resolve", message_thread_id=thread)
    sent = await desk.say(CONSULTANT, STAFF_CHAT, "/reopen", message_thread_id=thread)
    again = await desk.bot_says(STAFF_CHAT, "вернул(а) заявку", thread_id=thread, after=sent)
    assert mentioned(again) == {owner}


async def test_assign_takes_a_name_and_lists_the_team_when_nobody_matches(
    desk: Desk, desk_app: App
) -> None:
    """/assign Борис (a name, not a @username) assigns; the new owner is mentioned and the
    card says «ещё не взята в работу» with no «взял(а)» anywhere; /assign Вася names
    nobody and lists the team's people; assigning oneself is taking the ticket."""
    thread, card = await _ticket(desk)
    owner = (await _ticket_row(desk_app)).owner_id
    other = SECOND_CONSULTANT if owner == CONSULTANT else CONSULTANT
    first_name = NAMES[other].split()[0]

    sent = await desk.say(owner, STAFF_CHAT, "/assign Вася", message_thread_id=thread)
    nobody = await desk.bot_says(STAFF_CHAT, "Не нашёл", thread_id=thread, after=sent)
    assert text_of(nobody).startswith("Не нашёл сотрудника «Вася» в команде demo.")
    assert "Анна Смирнова — /assign @anna" in text_of(nobody)
    assert "Борис Ким — /assign @boris" in text_of(nobody)

    sent = await desk.say(owner, STAFF_CHAT, f"/assign {first_name}", message_thread_id=thread)
    note = await desk.bot_says(STAFF_CHAT, "Ответственный теперь", thread_id=thread, after=sent)
    assert mentioned(note) == {other}
    assert "взял(а)" not in text_of(note)
    assert "В работу заявка ещё не взята." in text_of(note)
    assigned = await _card_when(desk, card, f"Ответственный: {NAMES[other]}")
    assert f"Ответственный: {NAMES[other]} — ещё не взята в работу" in text_of(assigned)
    assert (await _ticket_row(desk_app)).owner_id == other

    sent = await desk.say(
        owner,
        STAFF_CHAT,
        f"/assign @{'anna' if owner == CONSULTANT else 'boris'}",
        message_thread_id=thread,
    )
    taken = await desk.bot_says(STAFF_CHAT, "взял(а) заявку в работу", thread_id=thread, after=sent)
    assert text_of(taken).startswith(f"{NAMES[owner]} взял(а) заявку в работу")
    await _card_when(desk, card, "· в работе")
    ticket = await _ticket_row(desk_app)
    assert (ticket.owner_id, ticket.status) == (owner, Status.IN_PROGRESS)


async def test_escalate_without_engineers_says_what_to_configure(desk: Desk, desk_app: App) -> None:
    """/escalate in a team with no line-2 engineer: the topic says to add one (team, line = 2,
    config apply), and the ticket is marked as escalated all the same (card and database)."""
    async with desk_app.db.uow() as uow:
        for member in await uow.directory.team_staff("demo"):
            if member.line is Line.TWO:
                await uow.directory.put_staff(replace(member, active=False))
    thread, card = await _ticket(desk)
    sent = await desk.say(CONSULTANT, STAFF_CHAT, "/escalate", message_thread_id=thread)
    note = await desk.bot_says(STAFF_CHAT, "передана на 2-ю линию", thread_id=thread, after=sent)
    assert "нет инженеров 2-й линии" in text_of(note)
    assert 'team = "demo"' in text_of(note)
    assert "line = 2" in text_of(note)
    assert "supportdesk config apply" in text_of(note)
    await _card_when(desk, card, "🛠 2-я линия")
    assert (await _ticket_row(desk_app)).escalated
