"""Updates the bot cannot read, and update ids that start again: nothing stops,
nothing new is dropped (issue 18, "A request can be lost without a trace")."""

from __future__ import annotations

import logging
from pathlib import Path

import aiohttp
import pytest
from pydantic import SecretStr

from bot.app import WEBHOOK_PATH
from bot.compose import App
from sandbox.server import SandboxHandle, running_sandbox
from storage import bad_updates
from tests.e2e.conftest import Product
from tests.e2e.desk import CONSULTANT, SECOND_CONSULTANT, STAFF_CHAT, USER, Desk, free_port, text_of

CONSULTANTS = (CONSULTANT, SECOND_CONSULTANT)
NO_FAQ = "Кассир не видит кнопку возврата"
# A poll without the fields aiogram requires (question, options...): aiogram cannot parse it.
BROKEN_POLL = {"poll": {"id": "1"}}


def _answer(message: dict[str, object]) -> bool:
    sender = message["from"]
    return isinstance(sender, dict) and bool(sender["is_bot"]) and bool(text_of(message))


async def _bad_rows(app: App) -> list[bad_updates.BadUpdate]:
    async with app.db.uow() as uow:
        return await uow.bad_updates.latest()


async def test_an_unreadable_update_is_set_aside_and_the_next_request_registered(
    desk: Desk, desk_app: App, caplog: pytest.LogCaptureFixture
) -> None:
    """One update aiogram cannot parse stops neither the bot nor the updates behind it."""
    caplog.set_level(logging.WARNING, logger="bot.reader")
    await desk.say(USER, USER, content=BROKEN_POLL)
    sent = await desk.say(USER, USER, NO_FAQ)
    await desk.bot_says(USER, "зарегистрирована", after=sent)
    rows = await _bad_rows(desk_app)
    assert len(rows) == 1
    assert '"poll"' in rows[0].raw
    assert rows[0].update_id is not None
    assert "could not be read" in caplog.text
    # the offset moved past it: a second request is not held back either
    again = await desk.say(USER, USER, "Ещё: не печатается чек на кассе")
    await desk.wait_for(USER, _answer, after=again, what="an answer to the follow-up")


async def test_the_webhook_confirms_an_unreadable_update_and_takes_the_next(
    seeded_sandbox: SandboxHandle, product: Product
) -> None:
    """Pushed, the unreadable update gets 200 (or Telegram would push it forever)."""
    port = free_port()
    secret = "a-long-enough-webhook-secret"
    settings = product.settings.model_copy(
        update={
            "webhook_url": f"http://127.0.0.1:{port}",
            "webhook_port": port,
            "webhook_secret": SecretStr(secret),
        }
    )
    desk = Desk(seeded_sandbox)
    async with product.run(settings) as app:

        async def webhook_set() -> bool:
            return bool((await app.bot.get_webhook_info()).url)

        await desk.until(webhook_set, "the webhook to be set")
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
        url = f"http://127.0.0.1:{port}{WEBHOOK_PATH}"
        async with aiohttp.ClientSession() as http:
            broken = {"update_id": 777, "message": {"message_id": 1, "poll": {"id": "1"}}}
            async with http.post(url, json=broken, headers=headers) as resp:
                assert resp.status == 200
            async with http.post(url, data=b"{not json", headers=headers) as resp:
                assert resp.status == 200
        sent = await desk.say(USER, USER, NO_FAQ)
        await desk.bot_says(USER, "зарегистрирована", after=sent)
        rows = await _bad_rows(app)
        assert [r.update_id for r in rows] == [None, 777]


async def test_new_updates_that_reuse_old_ids_are_answered(
    seeded_sandbox: SandboxHandle, product: Product, tmp_path: Path
) -> None:
    """The same bot on a fresh Bot API (ids from 1 again), same database: every
    new request is answered (claims by the bare id dropped 20 of 20)."""
    first = Desk(seeded_sandbox)
    async with product.run():
        for n in range(3):
            sent = await first.say(USER, USER, f"{NO_FAQ}, касса {n}")
            await first.wait_for(USER, _answer, after=sent, what=f"an answer to request {n}")
    async with running_sandbox(tmp_path / "fresh", token=seeded_sandbox.token) as fresh:
        await _seed_like(fresh)
        settings = product.settings.model_copy(
            update={"bot_token": SecretStr(fresh.token), "telegram_api_url": fresh.url}
        )
        desk = Desk(fresh)
        async with product.run(settings) as app:
            for n in range(3):
                sent = await desk.say(USER, USER, f"Не печатается чек, касса {n}")
                await desk.wait_for(USER, _answer, after=sent, what=f"an answer to request {n}")
            assert app.updates.duplicates == 0


async def _seed_like(handle: SandboxHandle) -> None:
    """The seeded sandbox's people and staff group, in another sandbox."""
    await handle.control.create_user(USER, "Анна", username="anna_buh")
    await handle.control.create_user(CONSULTANTS[0], "Олег", username="oleg_1c")
    await handle.control.create_user(CONSULTANTS[1], "Марина", username="marina_1c")
    await handle.control.create_chat(
        STAFF_CHAT,
        "Поддержка 1С — линия 1",
        is_forum=True,
        members={CONSULTANTS[0]: "administrator", CONSULTANTS[1]: "member"},
    )
