"""The sandbox keeps its world on disk: a restart finds the conversation where it was."""

from __future__ import annotations

from pathlib import Path

from aiogram.types import BufferedInputFile

from sandbox.server import running_sandbox
from tests.sandbox.fixtures import STAFF_CHAT_ID, USER_ID, bot_for
from tests.sandbox.images import png


async def test_a_restart_keeps_token_people_messages_topics_files_and_pending_updates(
    tmp_path: Path,
):
    data = tmp_path / "sandbox"
    async with running_sandbox(data) as first:
        control = first.control
        await control.create_user(USER_ID, "Анна")
        await control.create_chat(STAFF_CHAT_ID, "Поддержка", is_forum=True)
        bot = bot_for(first)
        try:
            asked = await control.send(USER_ID, USER_ID, "Не закрывается месяц")
            topic = await bot.create_forum_topic(STAFF_CHAT_ID, "DEMO-1")
            photo = await bot.send_photo(USER_ID, BufferedInputFile(png(), "s.png"))
            await bot.edit_message_caption(
                chat_id=USER_ID, message_id=photo.message_id, caption="подпись"
            )
        finally:
            await bot.session.close()
        token = first.token
        before = await control.messages(USER_ID)

    async with running_sandbox(data) as second:
        assert second.token == token
        state = await second.control.state()
        assert [u["id"] for u in state["users"]] == [USER_ID]
        assert await second.control.messages(USER_ID) == before
        assert [t["name"] for t in await second.control.topics(STAFF_CHAT_ID)] == ["DEMO-1"]
        bot = bot_for(second)
        try:
            # the update the bot never confirmed is still waiting for it
            [update] = await bot.get_updates(timeout=0)
            assert update.message is not None
            assert update.message.message_id == asked
            # message ids continue, files are still there and reusable by file_id
            assert photo.photo is not None
            again = await bot.send_photo(USER_ID, photo.photo[-1].file_id)
            assert again.message_id == photo.message_id + 1
            file = await bot.get_file(photo.photo[-1].file_id)
            downloaded = await bot.download_file(file.file_path or "")
            assert downloaded is not None
            assert downloaded.read() == png()
            new_topic = await bot.create_forum_topic(STAFF_CHAT_ID, "DEMO-2")
            assert new_topic.message_thread_id > topic.message_thread_id
        finally:
            await bot.session.close()


async def test_a_fixed_token_is_used_and_kept(tmp_path: Path):
    async with running_sandbox(tmp_path / "s", token="123456:DEMO-token") as handle:
        assert handle.token == "123456:DEMO-token"
        assert handle.bot_id == 123456
        assert (await handle.control.state())["bot"]["id"] == 123456
