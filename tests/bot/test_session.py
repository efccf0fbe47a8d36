"""The bot's session against the sandbox: each answer model is built once per method kind."""

from __future__ import annotations

import gc
import logging
import weakref

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import GetMe, Response, SendMessage
from aiogram.types import Message

from bot.session import KeepResponseModels, LateAnswers, make_session
from sandbox.server import SandboxHandle


async def test_the_answer_models_aiogram_builds_outlive_garbage_collection(
    seeded_sandbox: SandboxHandle,
) -> None:
    keep = KeepResponseModels()
    session = make_session(seeded_sandbox.url, keep)
    bot = Bot(seeded_sandbox.token, session=session)
    try:
        me = await bot.get_me()
        sent = await bot.send_message(1001, "проверка")
        again = await bot.send_message(1001, "ещё раз")
    finally:
        await bot.session.close()
    assert me.is_bot
    assert sent.text == "проверка"
    assert again.message_id > sent.message_id
    assert set(keep.kept) == {GetMe, SendMessage}  # one per kind, not one per call
    model = weakref.ref(keep.kept[SendMessage])
    gc.collect()
    assert model() is Response[Message]  # the cached model, not a new one


async def test_a_press_answered_too_late_is_logged_not_raised(
    seeded_sandbox: SandboxHandle, caplog: pytest.LogCaptureFixture
) -> None:
    """Telegram refuses to answer a press after about 15 s or twice («query is too old»):
    the answer only stops the spinner, so the press's work must not roll back on it
    (found by the update fuzz: a re-delivered press failed its whole update)."""
    caplog.set_level(logging.WARNING, logger="bot.session")
    bot = Bot(seeded_sandbox.token, session=make_session(seeded_sandbox.url, LateAnswers()))
    try:
        assert await bot.answer_callback_query("4242", text="поздно") is True
        with pytest.raises(TelegramBadRequest):  # anything else still fails as it did
            await bot.send_message(999_999_999, "никому")
    finally:
        await bot.session.close()
    assert "press 4242 not answered" in caplog.text
