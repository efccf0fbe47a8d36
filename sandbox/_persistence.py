"""Keeping the sandbox's state on disk (SQLite in the data directory).

Rows are JSON documents keyed by (kind, key). ``State`` marks rows dirty as
it changes; ``SnapshotStore.flush`` writes the dirty ones in one transaction
(the server flushes every ~100 ms and on shutdown), so a restart finds the
conversation where it was.
"""

from __future__ import annotations

import bisect
import json
import sqlite3
from collections import deque
from dataclasses import asdict
from pathlib import Path
from typing import Any

from sandbox._state import RowKey, State
from sandbox.model import BotIdentity, Chat, StoredFile, Topic, User, WebhookConfig

_SCHEMA = """
CREATE TABLE IF NOT EXISTS rows (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (kind, key)
)
"""


class SnapshotStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(_SCHEMA)
        self._db.commit()

    def close(self) -> None:
        self._db.close()

    def load(self) -> State | None:
        """The saved state, or None for an empty data directory."""
        rows: dict[str, list[tuple[str, Any]]] = {}
        for kind, key, body in self._db.execute("SELECT kind, key, body FROM rows"):
            rows.setdefault(kind, []).append((key, json.loads(body)))
        if "bot" not in rows:
            return None
        bot = rows["bot"][0][1]
        if not isinstance(bot.get("commands"), dict):  # early snapshots kept one list
            bot["commands"] = {}
        state = State(BotIdentity(**bot))
        for _, data in rows.get("user", []):
            state.users[data["id"]] = User(**data)
        for _, data in rows.get("chat", []):
            chat = Chat.from_dict(data)
            state.chats[chat.id] = chat
            state.messages.setdefault(chat.id, {})
        for _, data in rows.get("topic", []):
            topic = Topic(**data)
            state.topics[(topic.chat_id, topic.message_thread_id)] = topic
        for _, data in rows.get("file", []):
            stored = StoredFile(**data)
            state.files[stored.file_id] = stored
        messages = sorted((m for _, m in rows.get("message", [])), key=lambda m: m["message_id"])
        for message in messages:
            state.messages.setdefault(message["chat"]["id"], {})[message["message_id"]] = message
        updates = sorted((u for _, u in rows.get("update", [])), key=lambda u: u["update_id"])
        state.updates = deque(updates)
        for _, meta in rows.get("meta", []):
            state.next_update_id = meta["next_update_id"]
            state.webhook = WebhookConfig(**meta["webhook"])
            state.allowed_updates = meta["allowed_updates"]
        state.dirty.clear()
        return state

    def load_rows(self, kind_prefix: str) -> list[tuple[str, str, str]]:
        """Rows whose kind starts with ``kind_prefix`` (other worlds kept here, e.g. MAX's)."""
        cursor = self._db.execute(
            "SELECT kind, key, body FROM rows WHERE kind LIKE ? || '%'", (kind_prefix,)
        )
        return [(str(kind), str(key), str(body)) for kind, key, body in cursor]

    def take_dirty(self, state: State) -> list[tuple[str, str, str | None]]:
        """Render the dirty rows now (in the event loop), to write them elsewhere."""
        dirty = state.dirty
        state.dirty = set()
        return [(kind, key, _render(state, (kind, key))) for kind, key in dirty]

    def write(self, rows: list[tuple[str, str, str | None]]) -> None:
        """Write rendered rows in one transaction (safe to run in a worker thread)."""
        if not rows:
            return
        with self._db:
            for kind, key, body in rows:
                if body is None:
                    self._db.execute("DELETE FROM rows WHERE kind = ? AND key = ?", (kind, key))
                else:
                    self._db.execute(
                        "INSERT OR REPLACE INTO rows (kind, key, body) VALUES (?, ?, ?)",
                        (kind, key, body),
                    )


def _render(state: State, row: RowKey) -> str | None:
    kind, key = row
    value: Any = None
    if kind == "bot":
        value = asdict(state.bot)
    elif kind == "meta":
        value = {
            "next_update_id": state.next_update_id,
            "webhook": asdict(state.webhook),
            "allowed_updates": state.allowed_updates,
        }
    elif kind == "user":
        user = state.users.get(int(key))
        value = asdict(user) if user else None
    elif kind == "chat":
        chat = state.chats.get(int(key))
        value = asdict(chat) if chat else None
    elif kind == "topic":
        chat_id, thread_id = key.split(":")
        topic = state.topics.get((int(chat_id), int(thread_id)))
        value = asdict(topic) if topic else None
    elif kind == "file":
        stored = state.files.get(key)
        value = asdict(stored) if stored else None
    elif kind == "message":
        chat_id, message_id = key.split(":")
        value = state.message(int(chat_id), int(message_id))
    elif kind == "update" and state.updates:
        # Pending ids ascend; a webhook's pushes end in any order, so there may be gaps.
        wanted = int(key)
        index = bisect.bisect_left(state.updates, wanted, key=lambda u: int(u["update_id"]))
        if index < len(state.updates) and state.updates[index]["update_id"] == wanted:
            value = state.updates[index]
    return None if value is None else json.dumps(value, ensure_ascii=False)
