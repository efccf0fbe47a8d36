"""MAX limits and fault switches: 30 requests a second in all, faults per operation."""

from __future__ import annotations

import asyncio

import pytest
from maxapi import Bot
from maxapi.exceptions.max import MaxApiError
from maxapi.types import CallbackButton
from maxapi.utils.inline_keyboard import InlineKeyboardBuilder

from sandbox.server import SandboxHandle
from tests.sandbox.max_fixtures import MAX_USER_ID


def max_code(error: MaxApiError) -> str:
    assert isinstance(error.raw, dict)
    return str(error.raw["code"])


async def test_a_burst_past_30_requests_is_429(max_sandbox: SandboxHandle, max_bot: Bot):
    max_sandbox.sandbox.max.flood.clock = lambda: 1000.0  # time stands still: no refill
    results = await asyncio.gather(
        *(max_bot.send_message(user_id=MAX_USER_ID, text=str(i)) for i in range(36)),
        return_exceptions=True,
    )
    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(refused) == 6
    for error in refused:
        assert isinstance(error, MaxApiError)
        assert error.code == 429
        assert max_code(error) == "too.many.requests"
    assert len(await max_sandbox.control.messages(MAX_USER_ID, channel="max")) == 30
    stats = (await max_sandbox.control.stats())["max"]
    assert stats["refused"]["total"] == 6
    assert stats["refused"]["by_method"] == {"sendMessage": 6}
    # every method counts, long polling aside
    with pytest.raises(MaxApiError) as caught:
        await max_bot.get_me()
    assert caught.value.code == 429
    assert (await max_bot.get_updates(timeout=0))["updates"] == []


async def test_limits_switched_off_let_a_burst_through(max_sandbox: SandboxHandle, max_bot: Bot):
    await max_sandbox.control.set_flood_limits(False)
    max_sandbox.sandbox.max.flood.clock = lambda: 1000.0
    await asyncio.gather(
        *(max_bot.send_message(user_id=MAX_USER_ID, text=str(i)) for i in range(40))
    )
    assert len(await max_sandbox.control.messages(MAX_USER_ID, channel="max")) == 40
    assert (await max_sandbox.control.stats())["max"]["flood_limits"] is False


async def test_fault_switches_per_operation_and_dialog(max_sandbox: SandboxHandle, max_bot: Bot):
    control = max_sandbox.control
    await control.add_fault("sendMessage", "429", count=2, chat_id=MAX_USER_ID, channel="max")
    await control.add_fault("sendMessage", "5xx", chat_id=9999, channel="max")
    # a Telegram switch of the same name leaves MAX alone
    await control.add_fault("sendMessage", "400")
    for _ in range(2):
        with pytest.raises(MaxApiError) as caught:
            await max_bot.send_message(user_id=MAX_USER_ID, text="попытка")
        assert (caught.value.code, max_code(caught.value)) == (429, "too.many.requests")
    await max_bot.send_message(user_id=MAX_USER_ID, text="дошло")
    texts = [m["text"] for m in await control.messages(MAX_USER_ID, channel="max")]
    assert texts == ["дошло"]
    stats = await control.stats()
    assert stats["max"]["faults_applied"] == {"429": 2}
    assert stats["faults_applied"] == {}
    await control.clear_faults()
    await max_bot.send_message(user_id=MAX_USER_ID, text="без сбоев")


async def test_a_5xx_fault_is_a_500_in_max_shape(max_sandbox: SandboxHandle, max_bot: Bot):
    await max_sandbox.control.add_fault("getMyInfo", "5xx", channel="max")
    with pytest.raises(MaxApiError) as caught:
        await max_bot.get_me()
    assert (caught.value.code, max_code(caught.value)) == (500, "internal.error")
    assert (await max_bot.get_me()).is_bot


async def test_a_400_fault_on_callback_answers(max_sandbox: SandboxHandle, max_bot: Bot):
    builder = InlineKeyboardBuilder()
    builder.row(CallbackButton(text="Да", payload="yes"))
    sent = await max_bot.send_message(
        user_id=MAX_USER_ID, text="?", attachments=[builder.as_markup()]
    )
    assert sent is not None
    assert sent.message.body is not None
    await max_sandbox.control.click(
        MAX_USER_ID, MAX_USER_ID, sent.message.body.mid, "yes", channel="max"
    )
    [update] = (await max_bot.get_updates(timeout=0))["updates"]
    await max_sandbox.control.add_fault("answerOnCallback", "400", channel="max")
    callback_id = update["callback"]["callback_id"]
    with pytest.raises(MaxApiError) as caught:
        await max_bot.send_callback(callback_id, notification="ok")
    assert (caught.value.code, max_code(caught.value)) == (400, "proto.payload")
    assert (await max_bot.send_callback(callback_id, notification="ok")).success
