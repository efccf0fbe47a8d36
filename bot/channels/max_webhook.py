"""MAX pushing updates to us (``SUPPORTDESK_MAX_WEBHOOK_URL``): MAX's advice for production.

MAX posts one update per request to ``/max/webhook`` with the subscription's secret
in ``X-Max-Bot-Api-Secret``.  The update is read and handled before the answer
(so a crash in between has MAX push it again, and the update claim skips what
was done); any answer but 200 makes MAX retry, so an update the bot cannot read
is set aside (``bad_updates``) and still answered 200, while one that met the
database away is answered 503 (pushed again).  A request without the
secret is refused (401) and touches nothing.
"""

from __future__ import annotations

import hmac
import json
import logging

from aiogram import Bot, Dispatcher
from aiohttp import web

from bot.channels.max_poller import MaxPoller
from bot.polling import handle_batch
from storage.database import unavailable

log = logging.getLogger(__name__)

PATH = "/max/webhook"
SECRET_HEADER = "X-Max-Bot-Api-Secret"


class MaxWebhook:
    def __init__(self, dp: Dispatcher, bot: Bot, poller: MaxPoller, secret: str | None) -> None:
        self._dp = dp
        self._bot = bot
        self._poller = poller  # reads updates as polling does (persons, mids, bad ones)
        self._secret = secret

    def register(self, app: web.Application) -> None:
        app.router.add_post(PATH, self.handle)

    async def handle(self, request: web.Request) -> web.Response:
        if self._secret is not None:
            given = request.headers.get(SECRET_HEADER, "")
            if not hmac.compare_digest(given.encode(), self._secret.encode()):
                log.warning("MAX webhook: a request without the right secret refused")
                return web.json_response({"ok": False}, status=401)
        body = await request.text()
        try:
            raw: object = json.loads(body)
        except ValueError:
            raw = body[:4000]
        try:
            updates = await self._poller.read([raw])
            complete = await handle_batch(self._dp, self._bot, updates) if updates else True
        except Exception as exc:
            if not unavailable(exc):
                raise
            complete = False
        if not complete:  # the database is away: MAX pushes it again
            return web.json_response({"ok": False}, status=503)
        return web.json_response({"ok": True})
