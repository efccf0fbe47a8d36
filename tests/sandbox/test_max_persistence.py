"""The MAX side survives a restart: token, people, dialogs, pending updates and their marker."""

from __future__ import annotations

from pathlib import Path

import aiohttp
from maxapi.enums.upload_type import UploadType
from maxapi.types import CallbackButton, InputMediaBuffer
from maxapi.types.attachments.upload import AttachmentPayload, AttachmentUpload
from maxapi.utils.inline_keyboard import InlineKeyboardBuilder

from sandbox.server import running_sandbox
from tests.sandbox.images import png
from tests.sandbox.max_fixtures import MAX_USER_ID, max_bot_for


async def test_a_restart_keeps_the_max_world(tmp_path: Path):
    data = tmp_path / "sandbox"
    async with running_sandbox(data) as first:
        control = first.control
        await control.create_user(MAX_USER_ID, "Ирина", channel="max")
        bot = max_bot_for(first)
        try:
            await control.send(MAX_USER_ID, MAX_USER_ID, "первое", channel="max")
            await control.send(MAX_USER_ID, MAX_USER_ID, "второе", channel="max")
            seen = await bot.get_updates(timeout=0)  # the bot has them, not yet confirmed
            builder = InlineKeyboardBuilder()
            builder.row(CallbackButton(text="Да", payload="yes"))
            asked = await bot.send_message(
                user_id=MAX_USER_ID,
                text="Скриншот",
                attachments=[InputMediaBuffer(png(), filename="screen"), builder.as_markup()],
            )
            assert asked is not None
            assert asked.message.body is not None
            mid = asked.message.body.mid
            await control.click(MAX_USER_ID, MAX_USER_ID, mid, "yes", channel="max")
            await control.send(MAX_USER_ID, MAX_USER_ID, "третье", channel="max")
            await bot.set_commands()
        finally:
            await bot.close_session()
        token = first.max_token
        before = await control.messages(MAX_USER_ID, channel="max")
        [asked_shown] = [m for m in before if m["mid"] == mid]
        image = asked_shown["message"]["body"]["attachments"][0]["payload"]

    async with running_sandbox(data) as second:
        assert second.max_token == token
        state = await second.control.state()
        assert [u["id"] for u in state["max"]["users"]] == [MAX_USER_ID]
        after = await second.control.messages(MAX_USER_ID, channel="max")
        assert [m["mid"] for m in after] == [m["mid"] for m in before]
        assert [m["text"] for m in after] == [m["text"] for m in before]
        bot = max_bot_for(second)
        try:
            # the marker given before the restart confirms the first two only
            rest = await bot.get_updates(timeout=0, marker=seen["marker"])
            kinds = [u["update_type"] for u in rest["updates"]]
            assert kinds == ["message_callback", "message_created"]
            callback, created = rest["updates"]
            assert created["message"]["body"]["text"] == "третье"
            assert rest["marker"] > seen["marker"]
            # the callback can still be answered, the file still downloads and resends
            answered = await bot.send_callback(
                callback["callback"]["callback_id"], notification="?"
            )
            assert answered.success
            [asked_after] = [m for m in after if m["mid"] == mid]
            url = asked_after["message"]["body"]["attachments"][0]["payload"]["url"]
            assert url.startswith(second.url)  # the new port, not the old one
            assert await bot.download_bytes(url) == png()
            again = await bot.send_message(
                user_id=MAX_USER_ID,
                text="ещё раз",
                attachments=[
                    AttachmentUpload(
                        type=UploadType.IMAGE, payload=AttachmentPayload(token=image["token"])
                    )
                ],
            )
            assert again is not None
            assert again.message.body is not None
            assert again.message.body.seq > after[-1]["seq"]
        finally:
            await bot.close_session()


async def test_a_subscription_survives_a_restart(tmp_path: Path):
    data = tmp_path / "sandbox"
    async with running_sandbox(data) as first, aiohttp.ClientSession() as session:
        headers = {"Authorization": first.max_token}
        body = {"url": "http://127.0.0.1:9/hook", "update_types": ["message_created"]}
        async with session.post(first.max_url + "/subscriptions", json=body, headers=headers):
            pass
    async with running_sandbox(data) as second, aiohttp.ClientSession() as session:
        headers = {"Authorization": second.max_token}
        async with session.get(second.max_url + "/subscriptions", headers=headers) as resp:
            [subscription] = (await resp.json())["subscriptions"]
        assert subscription["url"] == "http://127.0.0.1:9/hook"
        assert subscription["update_types"] == ["message_created"]


async def test_a_fixed_max_token_is_used_and_kept(tmp_path: Path):
    async with running_sandbox(tmp_path / "s", max_token="max-demo-token") as handle:
        assert handle.max_token == "max-demo-token"
        assert (await handle.control.state())["max"]["bot"]["token"] == "max-demo-token"
    async with running_sandbox(tmp_path / "s") as handle:
        assert handle.max_token == "max-demo-token"
