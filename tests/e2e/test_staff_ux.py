"""The staff side as consultants see it: the card tells the state plainly, menus can be
left, the forum topic follows the ticket; and the user's priority picker says what
each priority means."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from bot.compose import App
from desk.enums import Priority, Status
from storage.tables import OutboxRow
from tests.e2e.desk import (
    CONSULTANT,
    SECOND_CONSULTANT,
    STAFF_CHAT,
    USER,
    Desk,
    Message,
    buttons,
    text_of,
)

NO_FAQ = "Кассир не видит кнопку возврата в рабочем месте кассира"
NAMES = {CONSULTANT: "Анна Смирнова", SECOND_CONSULTANT: "Борис Ким"}
GENITIVE = {CONSULTANT: "Анны Смирновой", SECOND_CONSULTANT: "Бориса Кима"}
CARD_LABELS = [
    "Взять",
    "Приоритет",
    "На 2-ю линию",
    "Ждём клиента",
    "Вне договора",
    "Решено",
    "🔥 Массовый инцидент",
]


async def _ticket(desk: Desk) -> tuple[int, Message, Message]:
    """Register a request: its topic's thread id, its card and the user's confirmation."""
    sent = await desk.say(USER, USER, NO_FAQ)
    confirmation = await desk.bot_says(USER, "зарегистрирована", after=sent)
    topic = await desk.topic_of("DEMO-1")
    thread: int = topic["message_thread_id"]
    card = await desk.bot_says(STAFF_CHAT, "DEMO-1", thread_id=thread)
    return thread, card, confirmation


async def _card_when(
    desk: Desk, card: Message, check: Callable[[Message], bool], what: str
) -> Message:
    """The card (as edited by now) once ``check`` holds for it."""

    async def current() -> Message | None:
        found = await desk.control.messages(
            STAFF_CHAT, message_thread_id=card.get("message_thread_id")
        )
        now = next(m for m in found if m["message_id"] == card["message_id"])
        return now if check(now) else None

    result: Message = await desk.until(current, what)
    return result


def _labels(message: Message) -> list[str]:
    return [label for label, _ in buttons(message)]


async def _events(app: App) -> list[str]:
    async with app.db.uow() as uow:
        ticket = await uow.tickets.get("DEMO-1")
        return [e.what for e in await uow.audit.for_ticket(ticket.id or 0)]


async def _owner(app: App) -> int:
    async with app.db.uow() as uow:
        return (await uow.tickets.get("DEMO-1")).owner_id


async def test_taking_hides_the_take_button_and_a_takeover_is_noted(
    desk: Desk, desk_app: App
) -> None:
    """The owner's «Взять» leaves the card saying whose it is, without «Взять»; another
    consultant's /take moves it and the topic gets «X взял(а) заявку в работу (предыдущий
    ответственный — Y)»; the card says «Ответственный» in every state."""
    thread, card, _ = await _ticket(desk)
    assert _labels(card) == CARD_LABELS
    assert "ещё не взята" in text_of(card)
    owner = await _owner(desk_app)
    other = SECOND_CONSULTANT if owner == CONSULTANT else CONSULTANT

    await desk.press(owner, STAFF_CHAT, card, "Взять")
    taken = await _card_when(desk, card, lambda m: "Взять" not in _labels(m), "«Взять» gone")
    assert f"Ответственный: {NAMES[owner]}\n" in text_of(taken)
    assert "ещё не взята" not in text_of(taken)
    assert "Приоритет" in _labels(taken)

    sent = await desk.say(other, STAFF_CHAT, "/take", message_thread_id=thread)
    note = await desk.bot_says(STAFF_CHAT, "взял(а) заявку", thread_id=thread, after=sent)
    assert text_of(note) == (f"{NAMES[other]} взял(а) заявку в работу (была у {GENITIVE[owner]}).")
    await _card_when(
        desk,
        card,
        lambda m: f"Ответственный: {NAMES[other]}" in text_of(m),
        "the new owner on the card",
    )
    assert await _owner(desk_app) == other


async def test_back_from_the_priority_and_route_menus_restores_the_card(
    desk: Desk, desk_app: App
) -> None:
    """«Приоритет» and «Вне договора» swap the card's buttons for a menu with «← Назад»;
    «← Назад» (and re-choosing the current priority) puts the card's buttons back and
    changes nothing."""
    _, card, _ = await _ticket(desk)
    before = await _events(desk_app)

    await desk.press(CONSULTANT, STAFF_CHAT, card, "Приоритет")
    menu = await _card_when(desk, card, lambda m: "P1" in _labels(m), "the priority menu")
    assert _labels(menu)[-1] == "← Назад"
    await desk.press(CONSULTANT, STAFF_CHAT, menu, "Назад")
    await _card_when(desk, card, lambda m: _labels(m) == CARD_LABELS, "the card's buttons back")

    await desk.press(CONSULTANT, STAFF_CHAT, card, "Вне договора")
    menu = await _card_when(desk, card, lambda m: "ИТ-служба клиента" in _labels(m), "routes")
    assert _labels(menu)[-1] == "← Назад"
    await desk.press(CONSULTANT, STAFF_CHAT, menu, "Назад")
    await _card_when(desk, card, lambda m: _labels(m) == CARD_LABELS, "the card's buttons back")

    await desk.press(CONSULTANT, STAFF_CHAT, card, "Приоритет")
    menu = await _card_when(desk, card, lambda m: "P1" in _labels(m), "the priority menu")
    async with desk_app.db.uow() as uow:
        current = (await uow.tickets.get("DEMO-1")).priority
    same = await desk.press(CONSULTANT, STAFF_CHAT, menu, f"P{current.value}")
    assert same.get("answer") == f"Приоритет уже P{current.value}"
    await _card_when(desk, card, lambda m: _labels(m) == CARD_LABELS, "the card's buttons back")

    assert await _events(desk_app) == before
    async with desk_app.db.uow() as uow:
        ticket = await uow.tickets.get("DEMO-1")
    assert (ticket.status, ticket.priority) == (Status.NEW, current)


async def test_waiting_shows_the_sla_paused_and_asks_the_user_neutrally(desk: Desk) -> None:
    """/wait: the card says the SLA is paused instead of running due times; the user is
    asked for an answer or information without a question being assumed."""
    thread, card, confirmation = await _ticket(desk)
    await desk.say(CONSULTANT, STAFF_CHAT, "/wait", message_thread_id=thread)
    told = await desk.bot_says(USER, "ждёт от вас", after=confirmation["message_id"])
    assert "ответа или информации по заявке DEMO-1" in text_of(told)
    assert "вопрос" not in text_of(told)
    paused = await _card_when(desk, card, lambda m: "ждём клиента" in text_of(m), "waiting card")
    assert "⏸ SLA на паузе — ждём ответа клиента" in text_of(paused)
    assert "Реакция:" not in text_of(paused)
    assert "Решение:" not in text_of(paused)
    assert "Ждём клиента" not in _labels(paused)


async def test_a_routed_out_card_shows_where_the_ticket_went(desk: Desk) -> None:
    """Routing out from the card records the contract's contact and the card names it."""
    _, card, _ = await _ticket(desk)
    await desk.press(CONSULTANT, STAFF_CHAT, card, "Вне договора")
    menu = await _card_when(desk, card, lambda m: "ИТ-служба клиента" in _labels(m), "routes")
    await desk.press(CONSULTANT, STAFF_CHAT, menu, "ИТ-служба клиента")
    routed = await _card_when(desk, card, lambda m: "Передана:" in text_of(m), "routed card")
    assert "↪️ Передана: ИТ-служба клиента: it@demo.example" in text_of(routed)
    assert _labels(routed) == []


async def _topic_closed(desk: Desk, closed: bool) -> None:
    async def check() -> bool:
        topics = await desk.control.topics(STAFF_CHAT)
        return len(topics) == 1 and topics[0]["closed"] is closed

    await desk.until(check, f"the topic {'closed' if closed else 'open'}")


async def test_closing_closes_the_topic_and_reopening_reopens_it(desk: Desk, desk_app: App) -> None:
    """/close (or the user's confirmation) closes the forum topic; the closed card's
    «Вернуть в работу», which works for a consultant who may not write in a closed
    topic, and /reopen open it again."""
    thread, card, confirmation = await _ticket(desk)
    await desk.say(CONSULTANT, STAFF_CHAT, "/resolve", message_thread_id=thread)
    first = await desk.bot_says(USER, "Решено?", after=confirmation["message_id"])
    await desk.say(CONSULTANT, STAFF_CHAT, "/close", message_thread_id=thread)
    await _topic_closed(desk, True)
    closed = await _card_when(desk, card, _showing(Status.CLOSED), "the closed card")
    assert _labels(closed) == ["↩️ Вернуть в работу"]

    await desk.press(SECOND_CONSULTANT, STAFF_CHAT, closed, "Вернуть в работу")
    await _topic_closed(desk, False)
    await _card_when(desk, card, _showing(Status.IN_PROGRESS), "the card in progress again")
    await desk.say(SECOND_CONSULTANT, STAFF_CHAT, "!снова смотрим", message_thread_id=thread)

    await desk.say(CONSULTANT, STAFF_CHAT, "/resolve", message_thread_id=thread)
    asked = await desk.bot_says(USER, "Решено?", after=first["message_id"])
    await desk.press(USER, USER, asked, "Да")
    await _topic_closed(desk, True)

    await desk.say(CONSULTANT, STAFF_CHAT, "/reopen", message_thread_id=thread)
    await _topic_closed(desk, False)
    async with desk_app.db.uow() as uow:
        assert (await uow.tickets.get("DEMO-1")).status is Status.IN_PROGRESS


async def test_a_plain_group_closes_tickets_without_touching_topics(
    desk: Desk, desk_app: App
) -> None:
    """Without forum topics, closing and reopening work and no topic call is made (none fails)."""
    desk.handle.sandbox.state.chats[STAFF_CHAT].is_forum = False  # an admin never enabled topics
    sent = await desk.say(USER, USER, NO_FAQ)
    await desk.bot_says(USER, "зарегистрирована", after=sent)
    card = await desk.bot_says(STAFF_CHAT, "DEMO-1")

    async def recorded() -> bool:  # a reply to the card names the ticket once it is recorded
        async with desk_app.db.uow() as uow:
            return await uow.messaging.link_of(STAFF_CHAT, card["message_id"]) is not None

    await desk.until(recorded, "the card recorded")
    for command, status in (
        ("/resolve", Status.RESOLVED),
        ("/close", Status.CLOSED),
        ("/reopen", Status.IN_PROGRESS),
    ):
        await desk.say(CONSULTANT, STAFF_CHAT, command, reply_to_message_id=card["message_id"])
        await _card_when(desk, card, _showing(status), f"the card after {command}")
    async with desk_app.db.uow() as uow:
        kinds = await uow.session.scalars(select(OutboxRow.kind).where(OutboxRow.state == "failed"))
        assert list(kinds) == []
    assert await desk.control.topics(STAFF_CHAT) == []


def _showing(status: Status) -> Callable[[Message], bool]:
    words = {Status.RESOLVED: "решена", Status.CLOSED: "закрыта", Status.IN_PROGRESS: "в работе"}
    return lambda m: f"· {words[status]}" in text_of(m).splitlines()[0]


async def test_assign_to_someone_outside_the_team_says_so(desk: Desk) -> None:
    """/assign @nobody names the username and the team instead of repeating the usage."""
    thread, _, _ = await _ticket(desk)
    sent = await desk.say(CONSULTANT, STAFF_CHAT, "/assign @nobody", message_thread_id=thread)
    answer = await desk.bot_says(STAFF_CHAT, "Не нашёл", thread_id=thread, after=sent)
    assert text_of(answer).startswith("Не нашёл сотрудника @nobody в команде demo")


async def _queued(app: App, chat_id: int) -> list[str]:
    """Texts the bot queued for ``chat_id`` so far (sent or not)."""
    async with app.db.uow() as uow:
        rows = await uow.session.scalars(
            select(OutboxRow).where(OutboxRow.chat_id == chat_id, OutboxRow.kind == "send")
        )
        return [str(row.payload["text"]) for row in rows]


async def test_assign_is_noted_in_the_topic_and_told_to_the_user(desk: Desk, desk_app: App) -> None:
    """/assign @boris in the topic: the topic reads «Ответственный теперь — Борис Ким:
    назначил(а) Анна Смирнова», the user learns who handles the ticket now; assigning to
    the owner again answers «Ответственный по заявке уже Борис Ким.» and posts no second
    note or message to the user."""
    thread, _, confirmation = await _ticket(desk)
    if await _owner(desk_app) != CONSULTANT:
        await desk.say(CONSULTANT, STAFF_CHAT, "/take", message_thread_id=thread)
        await desk.bot_says(
            USER, f"занимается {NAMES[CONSULTANT]}", after=confirmation["message_id"]
        )

    sent = await desk.say(CONSULTANT, STAFF_CHAT, "/assign @boris", message_thread_id=thread)
    note = await desk.bot_says(STAFF_CHAT, "Ответственный теперь", thread_id=thread, after=sent)
    assert text_of(note).startswith(
        f"Ответственный теперь — {NAMES[SECOND_CONSULTANT]}: назначил(а) {NAMES[CONSULTANT]}."
    )
    told = await desk.bot_says(USER, "теперь занимается", after=confirmation["message_id"])
    assert text_of(told) == f"Заявкой DEMO-1 теперь занимается {NAMES[SECOND_CONSULTANT]}."
    assert await _owner(desk_app) == SECOND_CONSULTANT
    before = await _events(desk_app)

    sent = await desk.say(CONSULTANT, STAFF_CHAT, "/assign @Boris", message_thread_id=thread)
    same = await desk.bot_says(STAFF_CHAT, "уже", thread_id=thread, after=sent)
    assert text_of(same) == f"Ответственный по заявке уже {NAMES[SECOND_CONSULTANT]}."
    notes = [t for t in await _queued(desk_app, STAFF_CHAT) if "Ответственный теперь" in t]
    told_user = [t for t in await _queued(desk_app, USER) if NAMES[SECOND_CONSULTANT] in t]
    assert (len(notes), len(told_user)) == (1, 1)
    assert await _events(desk_app) == before


async def test_the_users_priority_picker_explains_and_ignores_the_same_choice(
    desk: Desk, desk_app: App
) -> None:
    """The user's P1–P5 buttons say what each means; picking the current priority answers
    «Приоритет уже PN» and records nothing; another pick changes it."""
    _, _, confirmation = await _ticket(desk)
    await desk.press(USER, USER, confirmation, "Изменить приоритет")
    picker = await desk.bot_says(USER, "Выберите приоритет", after=confirmation["message_id"])
    labels = _labels(picker)
    assert labels[0] == "P1 — критично: не работают все"
    assert [label[:2] for label in labels] == ["P1", "P2", "P3", "P4", "P5"]
    assert all(" — " in label for label in labels)
    before = await _events(desk_app)
    async with desk_app.db.uow() as uow:
        current = (await uow.tickets.get("DEMO-1")).priority

    same = await desk.press(USER, USER, picker, f"P{current.value} —")
    assert same.get("answer") == f"Приоритет уже P{current.value}"
    assert await _events(desk_app) == before

    other = Priority.LOW if current is not Priority.LOW else Priority.MEDIUM
    await desk.press(USER, USER, picker, f"P{other.value} —")
    await desk.bot_says(USER, "приоритет теперь", after=picker["message_id"])
    assert await _events(desk_app) == [*before, "priority"]
