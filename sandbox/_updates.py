"""Updates for the bot: long polling with getUpdates, and webhook push.

As on Telegram, a new getUpdates call ends a poll that is still waiting with
409 "terminated by other getUpdates request", and getUpdates is refused with
409 while a webhook is set. In webhook mode each update is POSTed alone with
the ``X-Telegram-Bot-Api-Secret-Token`` header, up to the webhook's
``max_connections`` at once (one chat's one at a time, in order), retried
until the bot's server answers 2xx (``sandbox._pushing``).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import Any

from sandbox._errors import Conflict
from sandbox._pushing import Pusher, PushFailed
from sandbox._state import Notifier, State, Update

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Update types Telegram sends when allowed_updates was never given.
_DEFAULT_EXCLUDED = ("chat_member", "message_reaction", "message_reaction_count")

# Runs a Bot API method that a webhook answered with (method in the response body).
ReplyRunner = Callable[[dict[str, Any]], Awaitable[None]]


def update_kind(update: Update) -> str:
    return next(k for k in update if k != "update_id")


def update_chat(update: Update) -> int | None:
    """The chat an update is of (a press: the chat of its message, or its presser's
    dialog); None for the kinds of no chat (inline queries, polls)."""
    payload = update[update_kind(update)]
    if not isinstance(payload, dict):
        return None
    chat = payload.get("chat") or (payload.get("message") or {}).get("chat")
    if isinstance(chat, dict) and isinstance(chat.get("id"), int):
        return int(chat["id"])
    user = payload.get("from") or payload.get("user")
    if isinstance(user, dict) and isinstance(user.get("id"), int):
        return int(user["id"])
    return None


def is_allowed(state: State, update: Update) -> bool:
    kind = update_kind(update)
    if state.allowed_updates:
        return kind in state.allowed_updates
    return kind not in _DEFAULT_EXCLUDED


class UpdateFeed:
    """getUpdates: confirming by offset, waiting for news, one poller at a time."""

    def __init__(self, state: State) -> None:
        self.state = state
        self._generation = 0
        # Whether a getUpdates call is waiting right now (tests and stats look at it).
        self.waiting = False
        self.waiting_changed = Notifier()
        self.closing = False

    def close(self) -> None:
        """The server is stopping: a poll that waits answers at once (with nothing)."""
        self.closing = True
        self.state.new_update.notify()

    async def poll(
        self, offset: int | None, limit: int, seconds: float, allowed: list[str] | None
    ) -> list[Update]:
        state = self.state
        if state.webhook.url:
            raise Conflict(
                "can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first"
            )
        self._generation += 1
        generation = self._generation
        state.new_update.notify()  # ends a poll that is still waiting
        if allowed is not None:
            state.allowed_updates = allowed
            state.touch_meta()
        if offset is not None:
            self._confirm(offset)
        deadline = time.monotonic() + seconds
        while True:
            batch = self.pending(limit)
            remaining = deadline - time.monotonic()
            if batch or remaining <= 0:
                return batch
            self._set_waiting(True)
            try:
                await state.new_update.wait(remaining)
            finally:
                if self._generation == generation:
                    self._set_waiting(False)
            if self.closing:
                return []
            if self._generation != generation:
                raise Conflict(
                    "terminated by other getUpdates request; "
                    "make sure that only one bot instance is running"
                )

    def _set_waiting(self, waiting: bool) -> None:
        self.waiting = waiting
        self.waiting_changed.notify()

    def _confirm(self, offset: int) -> None:
        state = self.state
        if offset < 0:  # keep only the last -offset updates
            keep = list(state.updates)[offset:]
            if keep:
                state.confirm_updates(keep[0]["update_id"])
        else:
            state.confirm_updates(offset)

    def pending(self, limit: int) -> list[Update]:
        batch: list[Update] = []
        for update in self.state.updates:
            if is_allowed(self.state, update):
                batch.append(update)
                if len(batch) >= limit:
                    break
        return batch


class WebhookPusher(Pusher[Update]):
    """Delivers pending updates to the webhook URL while one is set: up to its
    ``max_connections`` at once, one chat's one at a time and in order (as Telegram)."""

    def __init__(self, state: State, run_reply: ReplyRunner) -> None:
        super().__init__(state.new_update)
        self.state = state
        self.run_reply = run_reply

    def connections(self) -> int:
        webhook = self.state.webhook
        return webhook.max_connections if webhook.url else 0

    def queue(self) -> Sequence[Update]:
        return self.state.updates

    def ident(self, update: Update) -> int:
        return int(update["update_id"])

    def lane(self, update: Update) -> Hashable:
        chat = update_chat(update)
        return ("update", update["update_id"]) if chat is None else chat

    def wanted(self, update: Update) -> bool:
        return is_allowed(self.state, update)

    def confirm(self, update: Update) -> None:
        self.state.forget_update(update)

    async def push(self, update: Update) -> bool:
        webhook = self.state.webhook
        headers = {SECRET_HEADER: webhook.secret_token} if webhook.secret_token else {}
        try:
            body = await self._post(webhook.url, update, headers, ok=range(200, 300))
        except PushFailed as exc:
            what = "Wrong response from the webhook" if exc.answered else "Connection failed"
            self._failed(f"{what}: {exc.detail}")
            return False
        await self._run_reply(body)
        return True

    async def _run_reply(self, body: bytes) -> None:
        try:
            reply = json.loads(body) if body.strip() else None
        except ValueError:
            return
        if isinstance(reply, dict) and "method" in reply:
            await self.run_reply(reply)

    def _failed(self, message: str) -> None:
        log.info("webhook delivery failed: %s", message)
        self.state.webhook.last_error_date = int(time.time())
        self.state.webhook.last_error_message = message
        self.state.touch_meta()
