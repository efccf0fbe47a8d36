"""Relayed messages keep their formatting and nothing else: entity attributes
cannot add markup, unsafe links arrive as text, and a relay Telegram refuses
for good is told to whoever wrote it (never reported as added)."""

from __future__ import annotations

from typing import Any

from bot.compose import App
from tests.e2e.desk import CONSULTANT, STAFF_CHAT, USER, Desk, Message, text_of

NO_FAQ = "У нас сломался принтер в бухгалтерии, печатает пустые листы"
INJECTED_URL = '"><b>INJ</b><a href="x'


async def _open_ticket(desk: Desk) -> tuple[int, Message]:
    """Register DEMO-1 and wait for its card: (the topic's thread, the card)."""
    first = await desk.say(USER, USER, NO_FAQ)
    await desk.bot_says(USER, "зарегистрирована", after=first)
    topic = await desk.topic_of("DEMO-1")
    thread = int(topic["message_thread_id"])
    card = await desk.bot_says(STAFF_CHAT, "DEMO-1", thread_id=thread)
    return thread, card


def _utf16(text: str) -> bytes:
    return text.encode("utf-16-le")


def _span(text: str, part: str) -> dict[str, int]:
    """The UTF-16 offset and length of ``part`` in ``text`` (as entities count)."""
    start = text.index(part)
    return {"offset": len(_utf16(text[:start])) // 2, "length": len(_utf16(part)) // 2}


def _entities(message: Message, kind: str) -> list[tuple[str, dict[str, Any]]]:
    """(covered text, entity) of each entity of ``kind`` in ``message``."""
    raw = _utf16(text_of(message))
    found = message.get("entities") or message.get("caption_entities") or []
    return [
        (raw[2 * e["offset"] : 2 * (e["offset"] + e["length"])].decode("utf-16-le"), e)
        for e in found
        if e["type"] == kind
    ]


async def _user_writes(desk: Desk, text: str, entities: list[dict[str, Any]]) -> int:
    sent: int = await desk.control.send(USER, USER, content={"text": text, "entities": entities})
    return sent


async def _in_topic(desk: Desk, thread: int, part: str, after: int) -> Message:
    return await desk.wait_for(
        STAFF_CHAT,
        lambda m: m["from"]["is_bot"] and part in text_of(m),
        thread_id=thread,
        after=after,
        what=f"{part!r} relayed into the topic",
    )


async def test_a_link_whose_url_holds_markup_reaches_the_topic_without_it(desk: Desk) -> None:
    """A follow-up with links whose URLs hold ``"><b>INJ</b>`` reaches the topic with
    its link texts and no bold «INJ»; an https link keeps its URL exactly; the user
    is told it was added."""
    thread, card = await _open_ticket(desk)
    text = "Смотрите инструкцию и ещё одну статью"
    https_url = 'https://its.1c.ru/db?q="><b>INJ</b>&x=1'
    sent = await _user_writes(
        desk,
        text,
        [
            {"type": "text_link", **_span(text, "инструкцию"), "url": INJECTED_URL},
            {"type": "text_link", **_span(text, "ещё одну"), "url": https_url},
        ],
    )
    relayed = await _in_topic(desk, thread, "Смотрите", after=card["message_id"])
    assert text in text_of(relayed)
    assert "INJ" not in text_of(relayed)
    assert all("INJ" not in covered for covered, _ in _entities(relayed, "bold"))
    links = _entities(relayed, "text_link")
    assert [(covered, e["url"]) for covered, e in links] == [("ещё одну", https_url)]
    await desk.bot_says(USER, "Добавил к заявке", after=sent)


async def test_a_code_block_language_cannot_add_markup(desk: Desk) -> None:
    """A ``pre`` entity whose language holds ``py"><b>INJ</b>`` puts no bold into the
    topic; the code block arrives as a code block."""
    thread, card = await _open_ticket(desk)
    text = "Лог ошибки:\nОшибка при вызове метода контекста"
    code = "Ошибка при вызове метода контекста"
    await _user_writes(
        desk, text, [{"type": "pre", **_span(text, code), "language": 'py"><b>INJ</b>'}]
    )
    relayed = await _in_topic(desk, thread, "Лог ошибки", after=card["message_id"])
    assert "INJ" not in text_of(relayed)
    assert all("INJ" not in covered for covered, _ in _entities(relayed, "bold"))
    assert [covered for covered, _ in _entities(relayed, "pre")] == [code]


async def test_javascript_links_arrive_as_plain_text(desk: Desk) -> None:
    """``javascript:`` links (in any case, behind whitespace or control characters)
    reach the topic as their text, without the link; a plain https link stays."""
    thread, card = await _open_ticket(desk)
    words = ["раз", "два", "три", "четыре", "пять"]
    text = "Нажмите " + " ".join(words)
    unsafe = ["javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)"]
    unsafe.append("java\tscript:alert(1)")
    entities = [
        {"type": "text_link", **_span(text, word), "url": url}
        for word, url in zip(words, [*unsafe, "https://its.1c.ru/"], strict=True)
    ]
    await _user_writes(desk, text, entities)
    relayed = await _in_topic(desk, thread, "Нажмите", after=card["message_id"])
    assert text in text_of(relayed)
    links = [(covered, e["url"]) for covered, e in _entities(relayed, "text_link")]
    assert links == [("пять", "https://its.1c.ru/")]


async def test_a_consultants_code_block_reaches_the_user_without_added_markup(
    desk: Desk,
) -> None:
    """The other way: a consultant's answer with a hostile code block language
    reaches the user with no bold «INJ»."""
    thread, _ = await _open_ticket(desk)
    text = "Выполните:\nОбновитьКонфигурацию()"
    code = "ОбновитьКонфигурацию()"
    before = (await desk.control.messages(USER))[-1]["message_id"]
    await desk.control.send(
        CONSULTANT,
        STAFF_CHAT,
        message_thread_id=thread,
        content={
            "text": text,
            "entities": [{"type": "pre", **_span(text, code), "language": 'bsl"><b>INJ</b>'}],
        },
    )
    answer = await desk.bot_says(USER, "Выполните", after=before)
    assert "INJ" not in text_of(answer)
    assert all("INJ" not in covered for covered, _ in _entities(answer, "bold"))


async def test_a_follow_up_telegram_refuses_is_marked_on_the_card_and_told_to_the_user(
    desk: Desk, desk_app: App
) -> None:
    """A user's follow-up the topic never gets (Telegram answers 400 for good): the
    card counts it, the user is asked to send it again."""
    thread, card = await _open_ticket(desk)
    await desk.control.add_fault("sendMessage", "400", chat_id=STAFF_CHAT)
    sent = await desk.say(USER, USER, "Ещё заметил: пустые листы только с лотка 2")
    told = await desk.bot_says(USER, "Не удалось передать", after=sent)
    assert "DEMO-1" in text_of(told)
    assert "ещё раз" in text_of(told)
    marked = await desk.wait_for(
        STAFF_CHAT,
        lambda m: m["message_id"] == card["message_id"] and "не доставлено" in text_of(m),
        thread_id=thread,
        what="the card's mark",
    )
    assert "1 сообщение клиента не доставлено" in text_of(marked)
    topic = await desk.control.messages(STAFF_CHAT, message_thread_id=thread)
    assert all("лотка 2" not in text_of(m) for m in topic)
    async with desk_app.db.uow() as uow:
        ticket = await uow.tickets.get("DEMO-1")
        assert ticket.id is not None
        stored = await uow.messaging.topic_of(ticket.id)
    assert stored is not None
    assert stored.undelivered == 1


async def test_an_answer_telegram_refuses_is_told_in_the_topic(desk: Desk) -> None:
    """A consultant's answer the user never gets (400 for good, not a block) is
    told in the topic."""
    thread, _ = await _open_ticket(desk)
    await desk.control.add_fault("sendMessage", "400", chat_id=USER)
    answer = await desk.say(CONSULTANT, STAFF_CHAT, "Проверьте лоток 2", message_thread_id=thread)
    told = await desk.bot_says(STAFF_CHAT, "не доставлено", thread_id=thread, after=answer)
    assert "DEMO-1" in text_of(told)
    assert "заблокировал" not in text_of(told)
