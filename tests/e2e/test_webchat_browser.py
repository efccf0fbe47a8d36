"""The web chat in a real browser (system Chromium driven by Playwright).

A tiny aiogram bot polls the sandbox for real; a person in the page writes,
the bot answers with an inline button, the person presses it and sees the
bot's answer — and consultants see the staff forum's topics.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from playwright.async_api import Browser, expect

from sandbox.server import SandboxHandle
from tests.sandbox.fixtures import CONSULTANT_IDS, STAFF_CHAT_ID, USER_ID, bot_for
from tests.sandbox.images import png

pytestmark = pytest.mark.browser
# The bot answers over real HTTP on a shared machine: give each expectation time.
expect.set_options(timeout=20_000)

PRESS_ME = InlineKeyboardMarkup(
    inline_keyboard=[[InlineKeyboardButton(text="Нажми меня", callback_data="pressed")]]
)


def echo_router() -> Router:
    router = Router(name="echo")

    @router.message(F.chat.type == "private")
    async def answer(message: Message) -> None:
        await message.answer(
            f"Вы написали: {message.text or message.caption}", reply_markup=PRESS_ME
        )

    @router.callback_query(F.data == "pressed")
    async def pressed(query: CallbackQuery) -> None:
        await query.answer("Нажато!")
        if isinstance(query.message, Message):
            await query.message.edit_text("Кнопка нажата")

    return router


@pytest.fixture
async def echo_bot(seeded_sandbox: SandboxHandle) -> AsyncIterator[Bot]:
    """The tiny bot, polling the sandbox for real."""
    bot = bot_for(seeded_sandbox)
    dispatcher = Dispatcher()
    dispatcher.include_router(echo_router())
    polling = asyncio.create_task(
        dispatcher.start_polling(bot, handle_signals=False, polling_timeout=5)
    )
    try:
        yield bot
    finally:
        await dispatcher.stop_polling()
        await polling
        await bot.session.close()


async def test_a_user_writes_the_bot_answers_with_a_button_the_button_works(
    seeded_sandbox: SandboxHandle, echo_bot: Bot, browser: Browser
):
    page = await browser.new_page()
    await page.goto(f"{seeded_sandbox.url}/?user={USER_ID}&chat={USER_ID}")
    await expect(page.locator("#chat-title")).to_have_text("Поддержка 1С")

    await page.fill("#composer-text", "Здравствуйте, не проводится документ")
    await page.click("#send-button")
    await expect(page.locator(".msg.own .text")).to_have_text(
        "Здравствуйте, не проводится документ"
    )
    button = page.locator(".kb-button", has_text="Нажми меня")
    await expect(button).to_be_visible(timeout=15000)
    await expect(page.locator(".msg:not(.own) .text")).to_have_text(
        "Вы написали: Здравствуйте, не проводится документ"
    )

    await button.click()
    await expect(page.locator("#toast")).to_have_text("Нажато!")
    await expect(page.locator(".msg:not(.own) .text")).to_have_text("Кнопка нажата")
    await expect(page.locator(".msg:not(.own) .meta")).to_contain_text("изменено")
    await expect(page.locator(".kb-button")).to_have_count(0)


async def test_a_photo_sent_from_the_page_is_shown(
    seeded_sandbox: SandboxHandle, echo_bot: Bot, browser: Browser, tmp_path: Path
):
    screenshot = tmp_path / "ошибка.png"
    screenshot.write_bytes(png(12, 8))
    page = await browser.new_page()
    await page.goto(f"{seeded_sandbox.url}/?user={USER_ID}&chat={USER_ID}")
    await page.set_input_files("#composer-file", str(screenshot))
    await expect(page.locator("#attached")).to_have_text("Вложение: ошибка.png")
    await page.fill("#composer-text", "Вот ошибка")
    await page.click("#send-button")
    photo = page.locator(".msg.own img.photo")
    await expect(photo).to_be_visible()
    width = await photo.evaluate("img => img.naturalWidth")
    assert width == 12
    await expect(page.locator(".msg:not(.own) .text")).to_have_text("Вы написали: Вот ошибка")


async def test_a_consultant_sees_the_forum_topics_and_writes_in_one(
    seeded_sandbox: SandboxHandle, echo_bot: Bot, browser: Browser
):
    topic = await echo_bot.create_forum_topic(STAFF_CHAT_ID, "DEMO-1 · P3 · Не проводится")
    await echo_bot.send_message(
        STAFF_CHAT_ID,
        "<b>Заявка DEMO-1</b>",
        parse_mode="HTML",
        message_thread_id=topic.message_thread_id,
    )
    page = await browser.new_page()
    await page.goto(f"{seeded_sandbox.url}/?user={CONSULTANT_IDS[0]}&chat={STAFF_CHAT_ID}")
    item = page.locator(f'.topic-item[data-thread-id="{topic.message_thread_id}"]')
    await expect(item).to_contain_text("DEMO-1 · P3 · Не проводится")
    await item.click()
    await expect(page.locator("#chat-title")).to_contain_text("DEMO-1")
    await expect(page.locator(".msg .text b")).to_have_text("Заявка DEMO-1")
    await page.fill("#composer-text", "Беру в работу")
    await page.press("#composer-text", "Enter")
    await expect(page.locator(".msg.own .text")).to_have_text("Беру в работу")
    said = await seeded_sandbox.control.messages(
        STAFF_CHAT_ID, message_thread_id=topic.message_thread_id
    )
    assert said[-1]["text"] == "Беру в работу"
    assert said[-1]["from"]["id"] == CONSULTANT_IDS[0]


async def test_a_new_person_added_from_the_page_can_talk_to_the_bot(
    seeded_sandbox: SandboxHandle, echo_bot: Bot, browser: Browser
):
    page = await browser.new_page()
    await page.goto(f"{seeded_sandbox.url}/?user={USER_ID}&chat={USER_ID}")
    page.once("dialog", lambda dialog: asyncio.ensure_future(dialog.accept("Пётр")))
    await page.click("#new-user")
    await expect(page.locator("#who option:checked")).to_contain_text("Пётр")
    await page.fill("#composer-text", "/start")
    await page.click("#send-button")
    await expect(page.locator(".msg:not(.own) .text")).to_have_text("Вы написали: /start")
    state = await seeded_sandbox.control.state()
    assert "Пётр" in [u["first_name"] for u in state["users"]]
