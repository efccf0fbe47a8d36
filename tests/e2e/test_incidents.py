"""Mass incidents through the whole product (issue 14, «Many reports, one incident»):
the real bot against the sandbox's Telegram, users and staff as people would act.

Users 5001… join «Демо» with its invite; «Урал-Снаб» users with theirs. A report's
line reaches the incident's topic a few seconds after the burst (``LINE_GATHER``).
"""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import select

from bot.compose import App
from desk.enums import Status
from desk.incidents import ReportState
from storage.tables import MessageLinkRow
from tests.e2e.desk import (
    CONSULTANT,
    STAFF_CHAT,
    STRANGER,
    USER,
    Desk,
    Message,
    buttons,
    forge_click,
    text_of,
)

OUTAGE = "Не запускается 1С, у всех ошибка при входе"
REPORTS = {
    5001: ("Ольга", "1С не работает!"),
    5002: ("Иван", "База упала, не можем зайти"),
    5003: ("Пётр", "Программа не открывается"),
    5004: ("Мария", "Не могу зайти в 1С с утра"),
}
LONG = 40.0  # a line waits for the burst; a proposal is looked for every 10 s


async def _join(desk: Desk, user_id: int, name: str, invite: str = "demo") -> None:
    await desk.control.create_user(user_id, name)
    sent = await desk.say(user_id, user_id, f"/start {invite}")
    await desk.bot_says(user_id, "Вы подключены", after=sent)


async def _register(desk: Desk, user_id: int, text: str) -> Message:
    sent = await desk.say(user_id, user_id, text)
    return await desk.bot_says(user_id, "зарегистрирована", after=sent)


async def _bot_in_topic(desk: Desk, thread: int) -> list[Message]:
    found = await desk.control.messages(STAFF_CHAT, message_thread_id=thread)
    return [m for m in found if m["from"]["is_bot"] and "forum_topic_created" not in m]


async def _outage_with_reports(desk: Desk, users: dict[int, tuple[str, str]]) -> dict[int, Message]:
    """USER reports an outage (DEMO-1), then ``users`` write about it at once; each
    one's «Мы уже знаем» answer."""
    for uid, (name, _) in users.items():
        await _join(desk, uid, name)
    await _register(desk, USER, OUTAGE)
    sent = await asyncio.gather(*(desk.say(uid, uid, text) for uid, (_, text) in users.items()))
    return {
        uid: await desk.bot_says(uid, "Мы уже знаем о проблеме", after=after)
        for uid, after in zip(users, sent, strict=True)
    }


async def test_five_users_report_an_outage_one_topic_one_line_and_all_hear_the_resolution(
    desk: Desk, desk_app: App
) -> None:
    """Five users of «Демо» write about a 1С outage within a minute: the first one's
    ticket is the incident, the other four hear at once that it is known, with its number
    and owner; the staff group gets one topic and, beyond the card, at most two messages
    (the P1 call and one line naming the four). Resolving it tells all five, closes the
    reports, and «У меня всё ещё не работает» reopens one on its own."""
    known = await _outage_with_reports(desk, REPORTS)
    for answer in known.values():
        said = text_of(answer)
        assert "DEMO-1" in said
        assert "ответственный" in said
        assert [label for label, _ in buttons(answer)] == ["У меня другое", "Добавить подробности"]
    topics = await desk.control.topics(STAFF_CHAT)
    assert len(topics) == 1
    thread = topics[0]["message_thread_id"]
    line = await desk.wait_for(
        STAFF_CHAT,
        lambda m: m["from"]["is_bot"] and "+4 сообщения о проблеме" in text_of(m),
        thread_id=thread,
        what="the reports' line",
    )
    for name, _ in REPORTS.values():
        assert name in text_of(line)
    said = await _bot_in_topic(desk, thread)
    card = said[0]
    in_group = [
        m
        for m in await desk.control.messages(STAFF_CHAT)
        if m["from"]["is_bot"] and "forum_topic_created" not in m
    ]  # the card, then at most two: the P1 call and the line
    assert len(in_group) <= 3, [text_of(m)[:60] for m in in_group]
    assert in_group[0]["message_id"] == card["message_id"]

    async def counted() -> bool:
        current = await desk.control.messages(STAFF_CHAT, message_thread_id=thread)
        card_now = next(m for m in current if m["message_id"] == card["message_id"])
        return "Массовый инцидент · 5 пользователей, 4 сообщения" in text_of(card_now)

    await desk.until(counted, "the card counting the reports")
    async with desk_app.db.uow() as uow:
        reports = [t for t in await uow.tickets.list(client_code="DEMO") if t.number != "DEMO-1"]
        assert len(reports) == 4
        assert all(t.status is Status.NEW for t in reports)
        assert all(t.requester_id in REPORTS for t in reports)

    sent = await desk.say(
        CONSULTANT, STAFF_CHAT, "/resolve Перезапустили сервер 1С", message_thread_id=thread
    )
    asked = await desk.bot_says(USER, "решена")
    assert "Перезапустили сервер 1С" in text_of(asked)
    told = {uid: await desk.bot_says(uid, "Проблема устранена") for uid in REPORTS}
    for message in told.values():
        assert "DEMO-1" in text_of(message)
        assert "Перезапустили сервер 1С" in text_of(message)
    await desk.bot_says(STAFF_CHAT, "Решение получат 4 пользователя", after=sent, thread_id=thread)
    async with desk_app.db.uow() as uow:
        for report in reports:
            assert (await uow.tickets.get_by_id(report.id or 0)).status is Status.CLOSED
            row = await uow.incidents.report_of(report.id or 0)
            assert row is not None
            assert row.state is ReportState.TOLD

    olga = next(uid for uid, (name, _) in REPORTS.items() if name == "Ольга")
    await desk.press(olga, olga, told[olga], "всё ещё не работает")
    again = await desk.bot_says(olga, "ведём отдельно")
    number = next(t.number for t in reports if t.requester_id == olga)
    assert number in text_of(again)
    own = await desk.topic_of(number)
    await desk.bot_says(STAFF_CHAT, number, thread_id=own["message_thread_id"])
    await desk.bot_says(STAFF_CHAT, "всё ещё не работает", thread_id=thread)
    async with desk_app.db.uow() as uow:
        reopened = await uow.tickets.get(number)
        assert reopened.status is Status.IN_PROGRESS
        row = await uow.incidents.report_of(reopened.id or 0)
        assert row is not None
        assert row.state is ReportState.SEPARATE


async def test_other_problem_registers_it_apart_and_details_reach_the_incident_topic(
    desk: Desk, desk_app: App
) -> None:
    """«У меня другое» makes the report a ticket of its own (its topic, card and
    registration message); «Добавить подробности» sends the next message into the
    incident's topic under the user's name."""
    users = {5001: REPORTS[5001], 5002: REPORTS[5002]}
    known = await _outage_with_reports(desk, users)
    incident_thread = (await desk.topic_of("DEMO-1"))["message_thread_id"]

    await desk.press(5002, 5002, known[5002], "Добавить подробности")
    await desk.bot_says(5002, "Напишите подробности")
    sent = await desk.say(5002, 5002, "Ошибка: сервер 1С:Предприятия не обнаружен")
    await desk.bot_says(5002, "Передал ответственному", after=sent)
    relayed = await desk.bot_says(STAFF_CHAT, "не обнаружен", thread_id=incident_thread)
    assert "Иван" in text_of(relayed)

    await desk.press(5001, 5001, known[5001], "У меня другое")
    apart = await desk.bot_says(5001, "ведём отдельно")
    async with desk_app.db.uow() as uow:
        mine = await uow.tickets.list(requester_id=5001)
    assert len(mine) == 1
    assert mine[0].number in text_of(apart)
    topic = await desk.topic_of(mine[0].number)
    await desk.bot_says(STAFF_CHAT, mine[0].number, thread_id=topic["message_thread_id"])
    await desk.bot_says(STAFF_CHAT, "у меня другое", thread_id=incident_thread)
    # the button is spent: a second press changes nothing
    state = desk.handle.sandbox.state
    query = forge_click(desk.handle, 5001, 5001, known[5001]["message_id"], known_data(known[5001]))
    await desk.until(lambda: _answered(state, query), "the stale press answered")
    assert "уже не действует" in str(state.callbacks[query].answer_text)


def known_data(message: Message) -> str:
    return next(data for label, data in buttons(message) if "другое" in label)


async def _answered(state: Any, query: str) -> bool:
    return bool(state.callbacks[query].answered)


async def test_staff_declare_link_and_unlink_and_nobody_else_may(desk: Desk, desk_app: App) -> None:
    """/mass makes a ticket a mass incident, /link attaches another ticket of the client
    (its user is told), /unlink gives it back; another client's ticket cannot be named;
    a group member who is not staff is refused and changes nothing; forged buttons of
    another user's report are refused."""
    await _join(desk, 5001, "Ольга")
    await _join(desk, 6001, "Урал", invite="ural")
    mine = await _register(
        desk, USER, "После обновления не проводятся реализации, ошибка проведения"
    )
    await _register(desk, 5001, "Реализация товаров не проводится после обновления")
    await _register(desk, 6001, "Не проводится поступление товаров")
    thread = (await desk.topic_of("DEMO-1"))["message_thread_id"]

    await desk.control._request(
        "POST", f"chats/{STAFF_CHAT}/members", json={"user_id": STRANGER, "status": "member"}
    )
    for command in ("/mass", "/link DEMO-2"):
        await desk.say(STRANGER, STAFF_CHAT, command, message_thread_id=thread)
    await desk.bot_says(STAFF_CHAT, "только сотрудникам", thread_id=thread)
    async with desk_app.db.uow() as uow:
        first = await uow.tickets.get("DEMO-1")
        assert await uow.incidents.mass_of(first.id or 0) is None
        assert await uow.incidents.report_of((await uow.tickets.get("DEMO-2")).id or 0) is None

    sent = await desk.say(CONSULTANT, STAFF_CHAT, "/mass", message_thread_id=thread)
    await desk.bot_says(STAFF_CHAT, "массовый инцидент", after=sent, thread_id=thread)
    sent = await desk.say(CONSULTANT, STAFF_CHAT, "/link DEMO-2 URAL-1", message_thread_id=thread)
    reply = await desk.bot_says(STAFF_CHAT, "DEMO-2: привязана", after=sent, thread_id=thread)
    assert "Не нашёл заявок клиента: URAL-1" in text_of(reply)
    told = await desk.bot_says(5001, "часть известной проблемы")
    assert "DEMO-1" in text_of(told)
    async with desk_app.db.uow() as uow:
        ural = await uow.tickets.get("URAL-1")
        assert await uow.incidents.report_of(ural.id or 0) is None
        report = await uow.tickets.get("DEMO-2")
    # another user's report: a forged «У меня другое» is refused
    state = desk.handle.sandbox.state
    forged = forge_click(desk.handle, USER, USER, mine["message_id"], f"i:{report.id}:other")
    bad = forge_click(desk.handle, 5001, 5001, told["message_id"], f"i:{report.id}:explode")
    await desk.until(lambda: _answered(state, bad), "the forged presses answered")
    await desk.until(lambda: _answered(state, forged), "the forged presses answered")
    assert "не для вас" in str(state.callbacks[forged].answer_text)
    assert "устарела" in str(state.callbacks[bad].answer_text)
    # the card's button from someone who is not staff
    card = (await _bot_in_topic(desk, (await desk.topic_of("DEMO-2"))["message_thread_id"]))[0]
    outsider = forge_click(
        desk.handle, STRANGER, STAFF_CHAT, card["message_id"], f"s:{report.id}:mass"
    )
    await desk.until(lambda: _answered(state, outsider), "the outsider's press answered")
    async with desk_app.db.uow() as uow:
        row = await uow.incidents.report_of(report.id or 0)
        assert row is not None
        assert row.state is ReportState.LINKED
        assert await uow.incidents.mass_of(report.id or 0) is None

    sent = await desk.say(CONSULTANT, STAFF_CHAT, "/unlink DEMO-2", message_thread_id=thread)
    await desk.bot_says(STAFF_CHAT, "отвязана", after=sent, thread_id=thread)
    await desk.bot_says(5001, "ведём отдельно")
    sent = await desk.say(CONSULTANT, STAFF_CHAT, "/history", message_thread_id=thread)
    history = await desk.bot_says(STAFF_CHAT, "История", after=sent, thread_id=thread)
    assert "привязана заявка DEMO-2" in text_of(history)
    assert "отвязана заявка DEMO-2" in text_of(history)


async def test_a_urals_outage_never_joins_demos_incident(desk: Desk, desk_app: App) -> None:
    """While «Демо» has an outage incident, a «Урал-Снаб» user writing the same words gets
    a ticket of «Урал-Снаб», not «Демо»'s number."""
    await _outage_with_reports(desk, {5001: REPORTS[5001]})
    await _join(desk, 6001, "Урал", invite="ural")
    answer = await _register(desk, 6001, "1С не работает!")
    assert "URAL-1" in text_of(answer)
    assert "DEMO" not in text_of(answer)


async def test_similar_requests_are_proposed_for_merging_and_merged_on_a_press(
    desk: Desk, desk_app: App
) -> None:
    """Three users of «Демо» write about the same problem (not an outage): the first
    ticket's topic gets one proposal with «Объединить в массовый инцидент»; pressing it
    makes the other two its reports, and their users hear so."""
    texts = {
        USER: "После обновления не проводится реализация товаров, ошибка проведения",
        5001: "Не проводится реализация товаров после обновления",
        5002: "После обновления реализация товаров не проводится",
    }
    for uid in (5001, 5002):
        await _join(desk, uid, REPORTS[uid][0])
    for uid, text in texts.items():
        await _register(desk, uid, text)
    thread = (await desk.topic_of("DEMO-1"))["message_thread_id"]
    desk.timeout = LONG
    proposal = await desk.bot_says(STAFF_CHAT, "Объединить в массовый инцидент?", thread_id=thread)
    assert "DEMO-2" in text_of(proposal)
    assert "DEMO-3" in text_of(proposal)
    await desk.press(CONSULTANT, STAFF_CHAT, proposal, "Объединить")
    await desk.bot_says(STAFF_CHAT, "DEMO-3: привязана", thread_id=thread)
    for uid in (5001, 5002):
        await desk.bot_says(uid, "часть известной проблемы")
    async with desk_app.db.uow() as uow:
        for number in ("DEMO-2", "DEMO-3"):
            ticket = await uow.tickets.get(number)
            row = await uow.incidents.report_of(ticket.id or 0)
            assert row is not None
            assert row.state is ReportState.LINKED


async def test_a_contractor_wide_incident_answers_each_clients_users_with_their_number(
    desk: Desk, desk_app: App
) -> None:
    """/mass DEMO URAL: … in the group's general chat makes one incident per client; a
    «Урал-Снаб» user writing about it hears «URAL-1»; resolving «Демо»'s part resolves
    «Урал-Снаб»'s and tells its user."""
    sent = await desk.say(
        CONSULTANT, STAFF_CHAT, "/mass DEMO URAL: Не работает ЕГАИС, УТМ не отвечает"
    )
    await desk.bot_says(STAFF_CHAT, "2 клиента", after=sent)
    demo = await desk.topic_of("DEMO-1")
    await desk.topic_of("URAL-1")
    await _join(desk, 6001, "Урал", invite="ural")
    sent = await desk.say(6001, 6001, "ЕГАИС не работает, УТМ не отвечает с утра")
    known = await desk.bot_says(6001, "Мы уже знаем", after=sent)
    assert "URAL-1" in text_of(known)
    await desk.say(CONSULTANT, STAFF_CHAT, "/resolve Оператор ЕГАИС восстановил работу",
                   message_thread_id=demo["message_thread_id"])  # fmt: skip
    told = await desk.bot_says(6001, "Проблема устранена")
    assert "URAL-1" in text_of(told)
    async with desk_app.db.uow() as uow:
        assert (await uow.tickets.get("URAL-1")).status is Status.RESOLVED
    assert await desk.control.messages(USER) == []  # «Демо»'s users heard nothing of it


async def test_an_outage_from_a_user_with_another_open_ticket_joins_the_incident(
    desk: Desk, desk_app: App
) -> None:
    """Her printing ticket is open when the base goes down: «1С не запускается» is a
    report of the incident others raised, not a follow-up of her printing ticket."""
    await _join(desk, 5001, "Ольга")
    await _register(desk, 5001, "Не печатается расчётный листок, ошибка формата бумаги")
    await _outage_with_reports(desk, {5002: ("Иван", "База упала, не можем зайти")})
    sent = await desk.say(5001, 5001, "У меня тоже не запускается 1С")
    answer = await desk.bot_says(5001, "Мы уже знаем о проблеме", after=sent)
    assert "DEMO-2" in text_of(answer)  # the incident (USER's outage), not her DEMO-1
    async with desk_app.db.uow() as uow:
        printing = await uow.tickets.get("DEMO-1")
        links = await uow.session.scalars(
            select(MessageLinkRow).where(MessageLinkRow.ticket_id == printing.id)
        )
        assert not any("не запускается" in (link.text or "") for link in links)
