"""Where a message in the staff group ends up: the staff command handlers, the
outsider's answer, the relay (issue 11 split the two if/elif chains into one
handler per command; these pin the routes the chains gave implicitly)."""

from __future__ import annotations

from tests.e2e.desk import CONSULTANT, STAFF_CHAT, STRANGER, USER, Desk, text_of

NO_FAQ = "Кассир не видит кнопку возврата в рабочем месте кассира"


async def _ticket(desk: Desk) -> int:
    """Register a request; its topic's thread id."""
    sent = await desk.say(USER, USER, NO_FAQ)
    await desk.bot_says(USER, "зарегистрирована", after=sent)
    topic = await desk.topic_of("DEMO-1")
    thread: int = topic["message_thread_id"]
    await desk.bot_says(STAFF_CHAT, "DEMO-1", thread_id=thread)
    return thread


async def test_a_staff_command_outside_any_topic_says_where_commands_work(desk: Desk) -> None:
    """/take in the group's general chat names no ticket: the answer says to use a topic."""
    sent = await desk.say(CONSULTANT, STAFF_CHAT, "/take")
    answer = await desk.bot_says(STAFF_CHAT, "Здесь нет заявки", after=sent)
    assert "message_thread_id" not in answer


async def test_a_note_command_is_neither_relayed_nor_answered(desk: Desk) -> None:
    """/note text stays in the topic: the user never sees it and the bot says nothing to it."""
    thread = await _ticket(desk)
    noted = await desk.say(
        CONSULTANT, STAFF_CHAT, "/note клиент путает кнопки", message_thread_id=thread
    )
    # one chat's updates are handled, and its messages sent, in order: this comes after
    asked = await desk.say(CONSULTANT, STAFF_CHAT, "/history", message_thread_id=thread)
    shown = await desk.bot_says(STAFF_CHAT, "История", after=asked, thread_id=thread)
    later = await desk.control.messages(STAFF_CHAT, message_thread_id=thread, after=noted)
    assert [m["message_id"] for m in later if m["from"]["is_bot"]] == [shown["message_id"]]
    user_chat = " ".join(text_of(m) for m in await desk.control.messages(USER))
    assert "путает кнопки" not in user_chat


async def test_an_outsiders_report_in_a_topic_is_answered_in_the_group(desk: Desk) -> None:
    """/report is a command of the group, not of a ticket: an outsider who types it in a
    topic is answered in the group's general chat, where reports go too."""
    thread = await _ticket(desk)
    await desk.control._request(
        "POST", f"chats/{STAFF_CHAT}/members", json={"user_id": STRANGER, "status": "member"}
    )
    sent = await desk.say(STRANGER, STAFF_CHAT, "/report DEMO", message_thread_id=thread)
    refusal = await desk.bot_says(STAFF_CHAT, "только сотрудникам", after=sent)
    assert "message_thread_id" not in refusal
