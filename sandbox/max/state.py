"""The MAX world in memory, with change tracking for persistence.

Like ``sandbox._state.State``: every mutation goes through a method that marks
the changed row dirty and tells the shared change feed (the web chat and the
control API's long polls wake on it). Rows are kept in the same SQLite file as
the Telegram side's, under kinds starting with ``max_``.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import asdict
from typing import Any

from sandbox._state import Notifier
from sandbox.max.model import (
    MaxBot,
    MaxCallback,
    MaxMessage,
    MaxUpload,
    MaxUser,
    PendingUpdate,
    Subscription,
    UploadSlot,
)

Row = tuple[str, str, str | None]


class MaxState:
    def __init__(self, bot: MaxBot, changed: Callable[[], None]) -> None:
        self.bot = bot
        self.users: dict[int, MaxUser] = {}
        self.messages: dict[str, MaxMessage] = {}
        self.dialogs: dict[int, list[str]] = {}  # user id -> mids in order
        self.updates: deque[PendingUpdate] = deque()
        self.next_number = 1
        self.subscription: Subscription | None = None
        self.uploads: dict[str, MaxUpload] = {}
        self.slots: dict[str, UploadSlot] = {}
        self.callbacks: dict[str, MaxCallback] = {}
        self.next_photo_id = 1
        self.dirty: set[tuple[str, str]] = set()
        self.new_update = Notifier()
        self._changed = changed

    # -- change tracking -------------------------------------------------

    def _touch(self, kind: str, key: str) -> None:
        self.dirty.add((kind, key))
        self._changed()

    def touch_bot(self) -> None:
        self._touch("max_bot", "bot")

    def touch_meta(self) -> None:
        self._touch("max_meta", "meta")

    def put_user(self, user: MaxUser) -> None:
        self.users[user.user_id] = user
        self.dialogs.setdefault(user.user_id, [])
        self._touch("max_user", str(user.user_id))

    def put_message(self, record: MaxMessage) -> None:
        if record.mid not in self.messages:
            self.dialogs.setdefault(record.user_id, []).append(record.mid)
        self.messages[record.mid] = record
        self._touch("max_message", record.mid)

    def drop_message(self, record: MaxMessage) -> None:
        self.messages.pop(record.mid, None)
        mids = self.dialogs.get(record.user_id, [])
        if record.mid in mids:
            mids.remove(record.mid)
        self._touch("max_message", record.mid)

    def put_upload(self, upload: MaxUpload) -> None:
        self.uploads[upload.token] = upload
        self._touch("max_upload", upload.token)

    def put_slot(self, slot: UploadSlot) -> None:
        self.slots[slot.slot] = slot
        self._touch("max_slot", slot.slot)

    def put_callback(self, callback: MaxCallback) -> None:
        self.callbacks[callback.callback_id] = callback
        self._touch("max_callback", callback.callback_id)

    def set_subscription(self, subscription: Subscription | None) -> None:
        self.subscription = subscription
        self.touch_meta()
        self.new_update.notify()  # wakes the pusher, and ends a waiting long poll

    def add_update(self, update: dict[str, Any]) -> PendingUpdate:
        pending = PendingUpdate(self.next_number, update)
        self.next_number += 1
        self.updates.append(pending)
        self._touch("max_update", str(pending.number))
        self.touch_meta()
        self.new_update.notify()
        return pending

    def confirm_updates(self, below: int) -> None:
        """Forget updates numbered below ``below`` (the bot has them)."""
        while self.updates and self.updates[0].number < below:
            gone = self.updates.popleft()
            self._touch("max_update", str(gone.number))

    def forget_update(self, update: PendingUpdate) -> None:
        """Forget one update the webhook took (pushes finish in any order)."""
        try:
            self.updates.remove(update)
        except ValueError:
            return  # gone already (a marker confirmed it)
        self._touch("max_update", str(update.number))

    def allocate_photo_id(self) -> int:
        photo_id = self.next_photo_id
        self.next_photo_id += 1
        self.touch_meta()
        return photo_id

    # -- lookups -----------------------------------------------------------

    def dialog(self, user_id: int) -> list[MaxMessage]:
        return [self.messages[mid] for mid in self.dialogs.get(user_id, [])]

    def last_seq(self, user_id: int) -> int:
        mids = self.dialogs.get(user_id)
        return self.messages[mids[-1]].seq if mids else 0

    # -- persistence ---------------------------------------------------------

    def take_dirty(self) -> list[Row]:
        """Render the dirty rows now (in the event loop), to write them elsewhere."""
        dirty, self.dirty = self.dirty, set()
        return [(kind, key, self._render(kind, key)) for kind, key in dirty]

    def _render(self, kind: str, key: str) -> str | None:
        value: Any = None
        if kind == "max_bot":
            value = asdict(self.bot)
        elif kind == "max_meta":
            value = {
                "next_number": self.next_number,
                "next_photo_id": self.next_photo_id,
                "subscription": asdict(self.subscription) if self.subscription else None,
            }
        elif kind == "max_user":
            user = self.users.get(int(key))
            value = asdict(user) if user else None
        elif kind == "max_message":
            record = self.messages.get(key)
            value = asdict(record) if record else None
        elif kind == "max_update":
            value = next((asdict(u) for u in self.updates if u.number == int(key)), None)
        elif kind == "max_upload":
            upload = self.uploads.get(key)
            value = asdict(upload) if upload else None
        elif kind == "max_slot":
            slot = self.slots.get(key)
            value = asdict(slot) if slot else None
        elif kind == "max_callback":
            callback = self.callbacks.get(key)
            value = asdict(callback) if callback else None
        return None if value is None else json.dumps(value, ensure_ascii=False)

    @classmethod
    def load(
        cls, rows: Iterable[tuple[str, str, str]], changed: Callable[[], None]
    ) -> MaxState | None:
        """The saved MAX world, or None when none was saved."""
        by_kind: dict[str, list[Any]] = {}
        for kind, _key, body in rows:
            by_kind.setdefault(kind, []).append(json.loads(body))
        if "max_bot" not in by_kind:
            return None
        state = cls(MaxBot(**by_kind["max_bot"][0]), changed)
        for data in by_kind.get("max_user", []):
            user = MaxUser(**data)
            state.users[user.user_id] = user
            state.dialogs.setdefault(user.user_id, [])
        records = sorted(
            (MaxMessage(**data) for data in by_kind.get("max_message", [])),
            key=lambda r: r.seq,
        )
        for record in records:
            state.messages[record.mid] = record
            state.dialogs.setdefault(record.user_id, []).append(record.mid)
        pending = sorted(
            (PendingUpdate(**data) for data in by_kind.get("max_update", [])),
            key=lambda u: u.number,
        )
        state.updates = deque(pending)
        for data in by_kind.get("max_upload", []):
            upload = MaxUpload(**data)
            state.uploads[upload.token] = upload
        for data in by_kind.get("max_slot", []):
            slot = UploadSlot(**data)
            state.slots[slot.slot] = slot
        for data in by_kind.get("max_callback", []):
            callback = MaxCallback(**data)
            state.callbacks[callback.callback_id] = callback
        for meta in by_kind.get("max_meta", []):
            state.next_number = meta["next_number"]
            state.next_photo_id = meta.get("next_photo_id", 1)
            sub = meta.get("subscription")
            state.subscription = Subscription(**sub) if sub else None
        return state
