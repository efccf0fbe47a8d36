"""How the MAX bot receives updates: long polling (GET /updates) and webhook push.

Long polling, as MAX documents it: every update has a number; the answer's
``marker`` is the number of the next one expected; passing ``marker`` confirms
every update before it. Without ``marker`` the bot gets every update it has
not confirmed yet (MAX's older docs; its newer ones say "only the last one",
so a bot must keep its marker and not rely on either). ``types`` filters.
While a webhook subscription is set, GET /updates is refused with 405.

Webhook: each update is POSTed alone as JSON (the Update object), with the
``X-Max-Bot-Api-Secret`` header when the subscription has a secret; any answer
but 200 is a failed delivery, retried (MAX retries for 8 hours from 60 s on;
the sandbox retries from 0.1 s, doubling to 5 s, so tests need not wait). MAX
does not say how many it pushes at once: the sandbox pushes up to
``CONNECTIONS`` (40, Telegram's default), one dialog's one at a time and in
order (``sandbox._pushing``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from sandbox._pushing import Pusher, PushFailed
from sandbox._state import Notifier
from sandbox.max.errors import not_allowed
from sandbox.max.model import PendingUpdate
from sandbox.max.serialize import public_update
from sandbox.max.state import MaxState

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Max-Bot-Api-Secret"


# Pushes in flight at once. MAX's docs say nothing of it; as Telegram's default
# (setWebhook's max_connections), and one dialog's updates one at a time, in order,
# as Telegram keeps a chat's: what a bot can rely on from either messenger.
CONNECTIONS = 40


def update_chat(update: dict[str, Any]) -> int | None:
    """The dialog (chat id) an update is of; None when it names none."""
    chat = update.get("chat_id")
    if chat is None:
        message = update.get("message")
        recipient = message.get("recipient") if isinstance(message, dict) else None
        chat = recipient.get("chat_id") if isinstance(recipient, dict) else None
    return chat if isinstance(chat, int) else None


def _wanted(update: PendingUpdate, types: list[str] | None) -> bool:
    return not types or update.type in types


class MaxFeed:
    """GET /updates: confirming by marker, waiting for news."""

    def __init__(self, state: MaxState) -> None:
        self.state = state
        self.waiting = 0  # long polls waiting right now
        self.waiting_changed = Notifier()
        self.closing = False

    def close(self) -> None:
        """The server is stopping: polls that wait answer at once (with nothing)."""
        self.closing = True
        self.state.new_update.notify()

    async def poll(
        self, marker: int | None, limit: int, seconds: float, types: list[str] | None
    ) -> tuple[list[PendingUpdate], int]:
        """The updates to give the bot and the marker to answer with."""
        state = self.state
        self._refuse_with_webhook()
        if marker is not None:
            state.confirm_updates(marker)
        deadline = time.monotonic() + seconds
        while True:
            batch = self.pending(limit, types)
            remaining = deadline - time.monotonic()
            if batch or remaining <= 0 or self.closing:
                break
            self._set_waiting(+1)
            try:
                await state.new_update.wait(remaining)
            finally:
                self._set_waiting(-1)
            self._refuse_with_webhook()
        next_marker = batch[-1].number + 1 if batch else state.next_number
        return batch, next_marker

    def _refuse_with_webhook(self) -> None:
        if self.state.subscription is not None:
            raise not_allowed(
                "Long polling is not available while the bot has a webhook subscription; "
                "delete it with DELETE /subscriptions first"
            )

    def _set_waiting(self, step: int) -> None:
        self.waiting += step
        self.waiting_changed.notify()

    def pending(self, limit: int, types: list[str] | None) -> list[PendingUpdate]:
        batch: list[PendingUpdate] = []
        for update in self.state.updates:
            if _wanted(update, types):
                batch.append(update)
                if len(batch) >= limit:
                    break
        return batch


class MaxPusher(Pusher[PendingUpdate]):
    """Delivers pending updates to the webhook subscription while there is one: up to
    ``CONNECTIONS`` at once, one dialog's one at a time and in order."""

    name = "sandbox-max-webhook"

    def __init__(self, state: MaxState, base_url: Callable[[], str]) -> None:
        super().__init__(state.new_update)
        self.state = state
        self.base_url = base_url
        self.connections_limit = CONNECTIONS

    def connections(self) -> int:
        return self.connections_limit if self.state.subscription is not None else 0

    def queue(self) -> Sequence[PendingUpdate]:
        return self.state.updates

    def ident(self, update: PendingUpdate) -> int:
        return update.number

    def lane(self, update: PendingUpdate) -> Hashable:
        chat = update_chat(update.update)
        return ("update", update.number) if chat is None else chat

    def wanted(self, update: PendingUpdate) -> bool:
        subscription = self.state.subscription
        return subscription is None or _wanted(update, subscription.update_types)

    def confirm(self, update: PendingUpdate) -> None:
        self.state.forget_update(update)

    async def push(self, update: PendingUpdate) -> bool:
        subscription = self.state.subscription
        if subscription is None:
            return False
        headers = {SECRET_HEADER: subscription.secret} if subscription.secret else {}
        body = public_update(update.update, self.base_url())
        try:
            await self._post(subscription.url, body, headers)
        except PushFailed as exc:
            self._failed(
                f"webhook answered {exc.detail}"
                if exc.answered
                else f"connection failed: {exc.detail}"
            )
            return False
        return True

    def _failed(self, message: str) -> None:
        log.info("MAX webhook delivery failed: %s", message)
        if self.state.subscription is not None:
            self.state.subscription.last_error = message
            self.state.touch_meta()
