"""Safety through the sandbox: strangers, forged presses, outsiders' commands, hostile text."""

from __future__ import annotations

from bot.callbacks import StaffCb, UserCb
from bot.compose import App
from desk.enums import Status
from tests.e2e.desk import (
    CONSULTANT,
    STAFF_CHAT,
    STRANGER,
    USER,
    Desk,
    forge_click,
    text_of,
)

NO_FAQ = "У нас сломался принтер в бухгалтерии, печатает пустые листы"


async def _register(desk: Desk, text: str = NO_FAQ) -> dict[str, object]:
    first = await desk.say(USER, USER, text)
    return await desk.bot_says(USER, "зарегистрирована", after=first)


async def test_stranger_is_told_how_to_get_access_and_gets_no_ticket(
    desk: Desk, desk_app: App
) -> None:
    """A user without an invite gets a polite explanation; nothing is registered."""
    await desk.control.send(STRANGER, STRANGER, "/start")
    await desk.bot_says(STRANGER, "ссылка-приглашение")
    asked = await desk.say(STRANGER, STRANGER, "База не запускается у всех")
    await desk.bot_says(STRANGER, "не могу принять заявку", after=asked)
    bad = await desk.say(STRANGER, STRANGER, "/start wrong-code")
    await desk.bot_says(STRANGER, "приглашение не подходит", after=bad)
    async with desk_app.db.uow() as uow:
        assert await uow.tickets.list() == []


async def test_invite_link_binds_the_user_to_the_client(desk: Desk, desk_app: App) -> None:
    """/start with the client's invite code binds the stranger to that client."""
    sent = await desk.say(STRANGER, STRANGER, "/start demo")
    welcome = await desk.bot_says(STRANGER, "Вы подключены", after=sent)
    assert "Демо" in text_of(welcome)
    async with desk_app.db.uow() as uow:
        user = await uow.users.get(STRANGER)
    assert user is not None
    assert user.client_code == "DEMO"


async def test_forged_press_on_another_users_ticket_changes_nothing(
    desk: Desk, desk_app: App
) -> None:
    """A callback naming someone else's ticket is refused after a DB check."""
    confirmation = await _register(desk)
    bound = await desk.say(STRANGER, STRANGER, "/start demo")
    welcome = await desk.bot_says(STRANGER, "Вы подключены", after=bound)
    async with desk_app.db.uow() as uow:
        ticket = (await uow.tickets.list(requester_id=USER))[0]
    assert ticket.id is not None
    state = desk.handle.sandbox.state
    forged = [
        StaffCb(ticket=ticket.id, action="resolve").pack(),  # a staff button, in a private chat
        UserCb(ticket=ticket.id, action="setp", value="1").pack(),
        UserCb(ticket=ticket.id, action="view").pack(),
    ]
    ids = [forge_click(desk.handle, STRANGER, STRANGER, welcome["message_id"], d) for d in forged]

    async def refused() -> bool:  # one chat's updates are handled in order: the last one tells
        return all(state.callbacks[i].answered for i in ids[1:])

    await desk.until(refused, "the refusals")
    assert all("не для вас" in str(state.callbacks[i].answer_text) for i in ids[1:])
    async with desk_app.db.uow() as uow:
        after = await uow.tickets.get_by_id(ticket.id)
    assert after.priority is ticket.priority
    assert after.status is Status.NEW
    messages = await desk.control.messages(STRANGER, after=welcome["message_id"])
    assert all(ticket.number not in text_of(m) for m in messages)
    assert confirmation


async def test_staff_commands_and_buttons_from_an_outsider_are_refused(
    desk: Desk, desk_app: App
) -> None:
    """A group member who is not staff of the team cannot act on a ticket.

    The refusal of a command comes in the ticket's topic, where it was typed.
    """
    await _register(desk)
    topic = await desk.topic_of("DEMO-1")
    thread = topic["message_thread_id"]
    card = await desk.bot_says(STAFF_CHAT, "DEMO-1", thread_id=thread)
    await desk.control._request(
        "POST", f"chats/{STAFF_CHAT}/members", json={"user_id": STRANGER, "status": "member"}
    )
    sent = await desk.say(STRANGER, STAFF_CHAT, "/resolve", message_thread_id=thread)
    await desk.bot_says(STAFF_CHAT, "только сотрудникам", after=sent, thread_id=thread)
    answer = await desk.press(STRANGER, STAFF_CHAT, card, "Решено")
    assert "сотрудникам" in str(answer.get("answer"))
    chat_before = await desk.control.messages(USER)
    said = await desk.say(STRANGER, STAFF_CHAT, "я не сотрудник", message_thread_id=thread)
    # a consultant's message afterwards still arrives: the outsider's did not
    await desk.say(CONSULTANT, STAFF_CHAT, "Ответ консультанта", message_thread_id=thread)
    await desk.bot_says(USER, "Ответ консультанта", after=chat_before[-1]["message_id"])
    user_chat = await desk.control.messages(USER)
    assert all("я не сотрудник" not in text_of(m) for m in user_chat)
    async with desk_app.db.uow() as uow:
        ticket = await uow.tickets.get("DEMO-1")
    assert ticket.status is Status.IN_PROGRESS  # by the consultant's answer, not resolved
    assert said


async def test_html_and_template_syntax_in_user_text_are_shown_literally(desk: Desk) -> None:
    """Tags, entities and Jinja syntax from a user reach staff and user as typed."""
    hostile = "Ошибка <b>не</b> & {{ 7*7 }} {% if x %} </i> <script>"
    confirmation = await _register(desk, hostile)
    assert confirmation
    topic = await desk.topic_of("DEMO-1")
    card = await desk.bot_says(STAFF_CHAT, "DEMO-1", thread_id=topic["message_thread_id"])
    assert hostile in text_of(card)
    assert "49" not in text_of(card)


async def test_a_10000_character_request_reaches_staff_whole(desk: Desk, desk_app: App) -> None:
    """10,000 characters (sent as Telegram clients do: pieces of 4096) make one ticket
    whose whole text reaches the topic; a consultant's 4096-character answer, longer
    with the name added, reaches the user split at the limit and whole."""
    words = " ".join(f"строка{i}" for i in range(1300))[:10_000]
    pieces = [words[i : i + 4096] for i in range(0, len(words), 4096)]
    first = await desk.say(USER, USER, pieces[0])
    await desk.bot_says(USER, "зарегистрирована", after=first)
    for piece in pieces[1:]:
        await desk.say(USER, USER, piece)
    topic = await desk.topic_of("DEMO-1")
    thread = topic["message_thread_id"]

    # words cut by the 4096 pieces come in halves; every other word must arrive
    expected = {w for piece in pieces for w in piece.split()[1:-1]}

    async def whole() -> bool:
        found = await desk.control.messages(STAFF_CHAT, message_thread_id=thread)
        return expected <= {w for m in found for w in text_of(m).split()}

    await desk.until(whole, "the whole long text in the topic")
    async with desk_app.db.uow() as uow:
        assert len(await uow.tickets.list()) == 1

    long_answer = ("ответ " * 700)[:4090] + " конец"
    before = (await desk.control.messages(USER))[-1]["message_id"]
    await desk.say(CONSULTANT, STAFF_CHAT, long_answer[:4096], message_thread_id=thread)

    async def delivered() -> bool:
        found = await desk.control.messages(USER, after=before)
        return "конец" in "".join(text_of(m) for m in found)

    await desk.until(delivered, "the long answer at the user")


async def test_stickers_locations_and_contacts_get_a_clear_answer(desk: Desk) -> None:
    """Unsupported content is answered with what the bot can take instead."""
    from tests.e2e.desk import inject_message

    for kind, payload in (
        (
            "sticker",
            {
                "file_id": "s1",
                "file_unique_id": "s1",
                "type": "regular",
                "width": 1,
                "height": 1,
                "is_animated": False,
                "is_video": False,
            },
        ),
        ("location", {"latitude": 55.75, "longitude": 37.61}),
        ("contact", {"phone_number": "+70000000000", "first_name": "Иван"}),
    ):
        sent = inject_message(desk.handle, USER, USER, {kind: payload})
        reply = await desk.bot_says(USER, "не могу приложить", after=sent)
        assert "текстом" in text_of(reply)


async def test_unknown_or_forged_button_data_is_answered_and_changes_nothing(
    desk: Desk, desk_app: App
) -> None:
    """Garbled data, out-of-range values and buttons of the wrong chat get «Кнопка устарела».

    Every press is answered (no spinning button); the ticket stays as it was.
    """
    first = await desk.say(USER, USER, NO_FAQ)
    confirmation = await desk.bot_says(USER, "зарегистрирована", after=first)
    async with desk_app.db.uow() as uow:
        ticket = (await uow.tickets.list(requester_id=USER))[0]
    topic = await desk.topic_of(ticket.number)
    card = await desk.bot_says(STAFF_CHAT, ticket.number, thread_id=topic["message_thread_id"])
    state = desk.handle.sandbox.state
    private = [
        f"u:{ticket.id}:setp:9",
        f"u:{ticket.id}:setp:0",
        f"u:{ticket.id}:rate:7",
        "garbage",
        "u:abc:view:",
        f"s:{ticket.id}:take:",  # a staff button in a private chat
    ]
    ids = [forge_click(desk.handle, USER, USER, confirmation["message_id"], d) for d in private]
    staff = [f"s:{ticket.id}:setp:9", f"s:{ticket.id}:explode:", "garbage"]
    ids += [forge_click(desk.handle, CONSULTANT, STAFF_CHAT, card["message_id"], d) for d in staff]

    async def answered() -> bool:
        return all(state.callbacks[i].answered for i in ids)

    await desk.until(answered, "an answer to every press")
    for i in ids:
        assert "устарела" in str(state.callbacks[i].answer_text), state.callbacks[i].data
        assert state.callbacks[i].show_alert
    async with desk_app.db.uow() as uow:
        after = await uow.tickets.get_by_id(ticket.id or 0)
    assert (after.priority, after.status, after.owner_id) == (
        ticket.priority,
        ticket.status,
        ticket.owner_id,
    )
