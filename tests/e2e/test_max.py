"""A user on MAX, consultants in the Telegram forum: one desk, through the sandbox
(its MAX side driven by the real product's ``maxapi`` client over HTTP)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from playwright.async_api import Browser, expect
from pydantic import SecretStr

from bot.channels.max_webhook import PATH as MAX_WEBHOOK_PATH
from bot.compose import App
from desk.channels import max_key
from desk.enums import Status
from sandbox.server import SandboxHandle
from tests.e2e.conftest import Product
from tests.e2e.desk import CONSULTANT, STAFF_CHAT, USER, Desk, free_port, text_of
from tests.sandbox.images import png

MAX_USER = 1006  # Ирина of «Демо», on MAX
REQUEST = "После обновления не формируется отчёт по продажам за квартал"

Message = dict[str, Any]


@pytest.fixture
async def max_app(seeded_sandbox: SandboxHandle, product: Product) -> AsyncIterator[App]:
    """The product with its MAX bot on the sandbox's MAX side."""
    await seeded_sandbox.control.create_user(
        MAX_USER, "Ирина", last_name="Соколова", username="irina_s", channel="max"
    )
    settings = product.settings.model_copy(
        update={
            "max_token": SecretStr(seeded_sandbox.max_token),
            "max_api_url": seeded_sandbox.max_url,
        }
    )
    async with product.run(settings) as app:
        yield app


@pytest.fixture
def desk(seeded_sandbox: SandboxHandle, max_app: App) -> Desk:
    return Desk(seeded_sandbox)


def max_buttons(message: Message) -> list[tuple[str, str]]:
    return [(b["text"], b.get("payload", "")) for row in message["keyboard"] or [] for b in row]


async def max_wait(
    desk: Desk, user: int, predicate: Callable[[Message], bool], what: str, after: str = ""
) -> Message:
    async def check() -> Message | None:
        found = await desk.control.messages(user, channel="max", after=after or None)
        return next((m for m in found if predicate(m)), None)

    result: Message = await desk.until(check, f"{what} in MAX dialog {user}")
    return result


async def bot_says_max(desk: Desk, user: int, part: str, after: str = "") -> Message:
    return await max_wait(
        desk, user, lambda m: m["from_bot"] and part in (m["text"] or ""), repr(part), after
    )


async def press_max(desk: Desk, user: int, message: Message, label_part: str) -> dict[str, Any]:
    data = next((p for label, p in max_buttons(message) if label_part in label), None)
    assert data is not None, f"no {label_part!r} in {max_buttons(message)}"
    result: dict[str, Any] = await desk.control.click(
        user, user, message["mid"], data, channel="max", wait=desk.timeout
    )
    return result


async def join_on_max(desk: Desk, user: int, code: str = "demo") -> Message:
    await desk.say(user, user, f"/start {code}", channel="max")  # the deep link's bot_started
    return await bot_says_max(desk, user, "Демо")


@pytest.mark.slow
async def test_a_max_user_is_served_like_a_telegram_one(
    desk: Desk, max_app: App, tmp_path: Path
) -> None:
    """Join by deep link → request → number, owner, deadlines on MAX → the card says
    MAX → the consultant's answer and photo reach MAX → the user's file reaches the
    topic → a button press → resolved, confirmed and rated on MAX."""
    welcome = await join_on_max(desk, MAX_USER)
    await desk.say(MAX_USER, MAX_USER, REQUEST, channel="max")
    registered = await bot_says_max(desk, MAX_USER, "зарегистрирована", after=welcome["mid"])
    text = registered["text"]
    assert "DEMO-1" in text
    assert "Ответим:" in text
    assert max_buttons(registered), "the registration's buttons came along"

    topic = await desk.topic_of("DEMO-1")
    thread = topic["message_thread_id"]
    card = await desk.bot_says(STAFF_CHAT, "DEMO-1", thread_id=thread)
    assert "MAX" in text_of(card)
    assert "Ирина" in text_of(card)
    async with max_app.db.uow() as uow:
        ticket = await uow.tickets.get("DEMO-1")
    assert ticket.user_chat == max_key(MAX_USER)

    answer = await desk.say(
        CONSULTANT,
        STAFF_CHAT,
        "Переформируйте <b>отчёт</b> после перезапуска",
        message_thread_id=thread,
    )
    reply = await bot_says_max(desk, MAX_USER, "Переформируйте", after=registered["mid"])
    assert (
        "<b>отчёт</b>" in (reply["message"]["body"].get("text") or "") or "отчёт" in reply["text"]
    )

    picture = tmp_path / "screen.png"
    picture.write_bytes(png())
    await desk.say(
        CONSULTANT, STAFF_CHAT, "вот как должно быть", message_thread_id=thread, file=picture
    )
    photo = await max_wait(
        desk,
        MAX_USER,
        lambda m: m["from_bot"] and any(x["kind"] == "image" for x in m["media"]),
        "the consultant's photo",
        after=reply["mid"],
    )
    assert "вот как должно быть" in (photo["text"] or "")

    document = tmp_path / "акт.pdf"
    document.write_bytes(b"%PDF-1.4 test\n")
    await desk.say(MAX_USER, MAX_USER, "акт во вложении", file=document, channel="max")
    copied = await desk.wait_for(
        STAFF_CHAT,
        lambda m: m["from"]["is_bot"] and "document" in m and "акт во вложении" in text_of(m),
        thread_id=thread,
        after=answer,
        what="the user's file in the topic",
    )
    assert copied["document"]["file_name"] == "акт.pdf"

    await press_max(desk, MAX_USER, registered, "приоритет")
    await bot_says_max(desk, MAX_USER, "Выберите приоритет", after=photo["mid"])

    await desk.say(CONSULTANT, STAFF_CHAT, "/resolve", message_thread_id=thread)
    asked = await bot_says_max(desk, MAX_USER, "Решено?", after=photo["mid"])
    await press_max(desk, MAX_USER, asked, "Да")
    rate = await bot_says_max(desk, MAX_USER, "Оцените", after=asked["mid"])
    await press_max(desk, MAX_USER, rate, "5")
    await bot_says_max(desk, MAX_USER, "комментарий", after=rate["mid"])
    async with max_app.db.uow() as uow:
        ticket = await uow.tickets.get("DEMO-1")
        assert ticket.status is Status.CLOSED
        assert await uow.audit.verify() == []


async def test_one_person_on_both_messengers_hears_where_they_wrote(
    desk: Desk, max_app: App
) -> None:
    """Ivan (Telegram) asks /connect, opens the link on MAX; a request from MAX is
    hers and is answered on MAX, one from Telegram on Telegram; /my lists both."""
    await desk.say(USER, USER, "/start demo")
    await desk.bot_says(USER, "Демо")
    ask = await desk.say(USER, USER, "/connect")
    offer = await desk.bot_says(USER, "max.ru", after=ask)
    code = re.search(r"start=(p[\w-]+)", text_of(offer))
    assert code is not None
    await desk.say(MAX_USER, MAX_USER, f"/start {code.group(1)}", channel="max")
    tied = await bot_says_max(desk, MAX_USER, "Готово, Иван")  # user 1001 of the e2e sandbox

    await desk.say(MAX_USER, MAX_USER, REQUEST, channel="max")
    on_max = await bot_says_max(desk, MAX_USER, "зарегистрирована", after=tied["mid"])
    assert "DEMO-1" in on_max["text"]
    # from Telegram soon after: the follow-up rule offers to add it to DEMO-1, on Telegram
    from_telegram = await desk.say(USER, USER, "Не открывается конфигуратор после обновления")
    added = await desk.bot_says(USER, "Добавил к заявке", after=from_telegram)
    await desk.press(USER, USER, added, "новая заявка")
    on_telegram = await desk.bot_says(USER, "DEMO-2", after=added["message_id"])
    assert "зарегистрирована" in text_of(on_telegram)

    async with max_app.db.uow() as uow:
        first, second = await uow.tickets.get("DEMO-1"), await uow.tickets.get("DEMO-2")
    assert first.requester_id == second.requester_id == USER  # one person
    assert (first.user_chat, second.user_chat) == (max_key(MAX_USER), USER)

    thread = (await desk.topic_of("DEMO-1"))["message_thread_id"]
    await desk.say(CONSULTANT, STAFF_CHAT, "Ответ на заявку из MAX", message_thread_id=thread)
    await bot_says_max(desk, MAX_USER, "Ответ на заявку из MAX", after=on_max["mid"])
    telegram_side = await desk.control.messages(USER)
    assert not any("Ответ на заявку из MAX" in text_of(m) for m in telegram_side)

    await desk.say(MAX_USER, MAX_USER, "/my", channel="max")
    listed = await bot_says_max(desk, MAX_USER, "DEMO-2", after=on_max["mid"])
    assert "DEMO-1" in listed["text"]


async def test_a_used_pairing_link_does_not_work_twice(desk: Desk, max_app: App) -> None:
    await desk.say(USER, USER, "/start demo")
    await desk.bot_says(USER, "Демо")
    ask = await desk.say(USER, USER, "/connect")
    offer = await desk.bot_says(USER, "max.ru", after=ask)
    code = re.search(r"start=(p[\w-]+)", text_of(offer))
    assert code is not None
    await desk.say(MAX_USER, MAX_USER, f"/start {code.group(1)}", channel="max")
    tied = await bot_says_max(desk, MAX_USER, "Готово")
    await desk.say(MAX_USER, MAX_USER, f"/start {code.group(1)}", channel="max")
    await bot_says_max(desk, MAX_USER, "устарела или уже использована", after=tied["mid"])


MAX_SECRET = "max-webhook-secret-value"


async def test_max_pushes_updates_to_the_webhook_and_forgeries_are_refused(
    seeded_sandbox: SandboxHandle, product: Product
) -> None:
    """With SUPPORTDESK_MAX_WEBHOOK_URL the bot subscribes and MAX pushes updates (secret
    checked); a push without the secret is refused and registers nothing; polling
    again later removes the subscription (which would refuse every poll)."""
    await seeded_sandbox.control.create_user(
        MAX_USER, "Ирина", last_name="Соколова", username="irina_s", channel="max"
    )
    port = free_port()
    pushed = product.settings.model_copy(
        update={
            "max_token": SecretStr(seeded_sandbox.max_token),
            "max_api_url": seeded_sandbox.max_url,
            "max_webhook_url": f"http://127.0.0.1:{port}",
            "max_webhook_secret": SecretStr(MAX_SECRET),
            "webhook_port": port,
        }
    )
    desk = Desk(seeded_sandbox)
    async with product.run(pushed) as app:
        assert app.max is not None
        client = app.max.client

        async def subscribed() -> bool:
            return bool((await client.get_subscriptions()).subscriptions)

        await desk.until(subscribed, "the MAX webhook to be set")
        welcome = await join_on_max(desk, MAX_USER)
        await desk.say(MAX_USER, MAX_USER, REQUEST, channel="max")
        await bot_says_max(desk, MAX_USER, "зарегистрирована", after=welcome["mid"])
        forged = {
            "update_type": "message_created",
            "timestamp": 1,
            "message": {
                "sender": {"user_id": MAX_USER, "first_name": "X", "is_bot": False},
                "recipient": {"chat_id": 1, "chat_type": "dialog"},
                "timestamp": 1,
                "body": {"mid": "mid.forged", "seq": 1, "text": "Поддельная заявка про склад"},
            },
        }
        url = f"http://127.0.0.1:{port}{MAX_WEBHOOK_PATH}"
        async with aiohttp.ClientSession() as http:
            for headers in ({}, {"X-Max-Bot-Api-Secret": "wrong"}):
                async with http.post(url, json=forged, headers=headers) as resp:
                    assert resp.status == 401
    async with product.database.uow() as uow:
        assert [t.number for t in await uow.tickets.list()] == ["DEMO-1"]
    polling = pushed.model_copy(update={"max_webhook_url": ""})
    async with product.run(polling) as app:
        assert app.max is not None
        client = app.max.client

        async def unsubscribed() -> bool:
            return not (await client.get_subscriptions()).subscriptions

        await desk.until(unsubscribed, "the MAX webhook to be removed")
        sent = await desk.say(MAX_USER, MAX_USER, "Не печатается счёт-фактура", channel="max")
        await max_wait(
            desk, MAX_USER, lambda m: m["from_bot"] and bool(m["text"]), "an answer", after=sent
        )


@pytest.mark.browser
async def test_a_max_user_writes_from_the_web_chat_and_is_answered_there(
    seeded_sandbox: SandboxHandle, max_app: App, browser: Browser
) -> None:
    """The web chat plays a MAX user (a «MAX» badge): the deep link's Start, a request,
    the registration with its buttons, shown in the page."""
    page = await browser.new_page()
    await page.goto(f"{seeded_sandbox.url}/?user={MAX_USER}&chat={MAX_USER}&channel=max")
    await expect(page.locator(".max-badge").first).to_be_visible(timeout=20_000)
    await page.fill("#composer-text", "/start demo")
    await page.click("#send-button")
    await expect(page.locator(".msg:not(.own) .text").first).to_contain_text("Демо", timeout=20_000)
    await page.fill("#composer-text", REQUEST)
    await page.click("#send-button")
    registered = page.locator(".msg:not(.own) .text", has_text="зарегистрирована")
    await expect(registered).to_contain_text("DEMO-1", timeout=20_000)
    await expect(page.locator(".kb-button").first).to_be_visible(timeout=20_000)


async def test_a_person_first_on_max_connects_telegram_and_is_themselves_there(
    desk: Desk, max_app: App
) -> None:
    """Ирина joins on MAX, registers DEMO-1 there, /connect gives a t.me link; opened
    by Telegram user 3001 it ties that chat to her: /my on Telegram lists DEMO-1,
    and a request from Telegram is hers, answered on Telegram."""
    welcome = await join_on_max(desk, MAX_USER)
    await desk.say(MAX_USER, MAX_USER, REQUEST, channel="max")
    on_max = await bot_says_max(desk, MAX_USER, "зарегистрирована", after=welcome["mid"])
    await desk.say(MAX_USER, MAX_USER, "/connect", channel="max")
    offer = await bot_says_max(desk, MAX_USER, "t.me", after=on_max["mid"])
    code = re.search(r"start=(p[\w-]+)", offer["text"])
    assert code is not None
    stranger = 3001  # a Telegram account the desk has never seen
    await desk.control.create_user(stranger, "Ира", username="ira_tg")
    sent = await desk.say(stranger, stranger, f"/start {code.group(1)}")
    tied = await desk.bot_says(stranger, "Готово, Ирина", after=sent)
    asked = await desk.say(stranger, stranger, "/my")
    listed = await desk.bot_says(stranger, "DEMO-1", after=asked)
    assert "DEMO-1" in text_of(listed)
    request = await desk.say(stranger, stranger, "Не открывается конфигуратор после обновления")
    answered = await desk.wait_for(
        stranger,
        lambda m: m["from"]["is_bot"] and m["message_id"] > request,
        what="an answer on Telegram",
    )
    assert "не знаю, из какой вы компании" not in text_of(answered)
    async with max_app.db.uow() as uow:
        mine = await uow.tickets.list(requester_id=max_key(MAX_USER))
    assert [t.number for t in mine][-1] == "DEMO-1"
    assert tied
