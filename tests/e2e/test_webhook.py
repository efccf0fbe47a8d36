"""Webhook mode: the sandbox pushes updates with the secret token; others are refused."""

from __future__ import annotations

import aiohttp
from pydantic import SecretStr

from bot.app import WEBHOOK_PATH
from sandbox.server import SandboxHandle
from tests.e2e.conftest import Product
from tests.e2e.desk import USER, Desk, free_port

SECRET = "a-long-enough-webhook-secret"


async def test_webhook_mode_registers_requests_and_refuses_pushes_without_the_secret(
    seeded_sandbox: SandboxHandle, product: Product
) -> None:
    """With a webhook URL set the bot takes pushed updates (secret checked) instead of polling."""
    port = free_port()
    settings = product.settings.model_copy(
        update={
            "webhook_url": f"http://127.0.0.1:{port}",
            "webhook_port": port,
            "webhook_secret": SecretStr(SECRET),
        }
    )
    desk = Desk(seeded_sandbox)
    async with product.run(settings) as app:

        async def webhook_set() -> bool:
            info = await app.bot.get_webhook_info()
            return bool(info.url)

        await desk.until(webhook_set, "the webhook to be set")
        sent = await desk.say(USER, USER, "Кассир не видит кнопку возврата")
        await desk.bot_says(USER, "зарегистрирована", after=sent)
        async with aiohttp.ClientSession() as http:
            forged = {"update_id": 999, "message": {"message_id": 1}}
            url = f"http://127.0.0.1:{port}{WEBHOOK_PATH}"
            async with http.post(url, json=forged) as resp:
                assert resp.status == 401
            headers = {"X-Telegram-Bot-Api-Secret-Token": "wrong-secret-value-xx"}
            async with http.post(url, json=forged, headers=headers) as resp:
                assert resp.status == 401
