"""The bot's session against the sandbox: each answer model is built once per method kind."""

from __future__ import annotations

import gc
import weakref

from aiogram import Bot
from aiogram.methods import GetMe, Response, SendMessage
from aiogram.types import Message

from bot.session import KeepResponseModels, make_session
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
