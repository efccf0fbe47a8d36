"""The sandbox as one object: its state, files, limits, faults and update feed."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from sandbox._faults import FaultBoard
from sandbox._files import FileStore
from sandbox._flood import FloodLimiter
from sandbox._persistence import SnapshotStore
from sandbox._spec import BotApiSpec, load_spec
from sandbox._state import State
from sandbox._updates import ReplyRunner, UpdateFeed, WebhookPusher
from sandbox.max.world import MaxWorld
from sandbox.model import MEMBER, PRESENT, BotIdentity, Chat, User

log = logging.getLogger(__name__)

DEFAULT_BOT_ID = 7000000001


@dataclass
class SandboxConfig:
    data_dir: Path
    flood_limits: bool = True
    # A fixed token for the bot; by default one is generated on first start and kept.
    token: str | None = None
    spec_path: Path | None = None
    bot_username: str = "supportdesk_sandbox_bot"
    bot_first_name: str = "Поддержка 1С"
    flush_interval: float = 0.1
    # MAX (sandbox/max): a fixed token for its bot (else one is generated and kept),
    # and how long after an upload attaching the file answers attachment.not.ready.
    max_token: str | None = None
    max_upload_delay: float = 0.3
    max_bot_username: str = "supportdesk_max_bot"


class Sandbox:
    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        config.data_dir.mkdir(parents=True, exist_ok=True)
        self.store = SnapshotStore(config.data_dir / "sandbox.sqlite3")
        loaded = self.store.load()
        self.state = loaded or State(self._new_bot(config))
        if loaded is None:
            self.state.touch_bot()
        if config.token and self.state.bot.token != config.token:
            self.state.bot.token = config.token
            self.state.touch_bot()
        self.files = FileStore(config.data_dir / "files", self.state)
        self.flood = FloodLimiter(enabled=config.flood_limits)
        self.faults = FaultBoard()
        self.spec: BotApiSpec = load_spec(config.spec_path)
        self.feed = UpdateFeed(self.state)
        self.max = MaxWorld(
            rows=self.store.load_rows("max_"),
            files=self.files,
            changed=self._world_changed,
            changes=self.state.changed,
            token=config.max_token,
            upload_delay=config.max_upload_delay,
            flood_limits=config.flood_limits,
            bot_username=config.max_bot_username,
            bot_first_name=config.bot_first_name,
        )
        self.calls: Counter[str] = Counter()
        self._flusher: asyncio.Task[None] | None = None
        self._pusher: WebhookPusher | None = None
        self._writing: asyncio.Future[None] | None = None  # the write in a worker thread

    @staticmethod
    def _new_bot(config: SandboxConfig) -> BotIdentity:
        token = config.token or f"{DEFAULT_BOT_ID}:SANDBOX{secrets.token_urlsafe(24)}"
        bot_id = int(token.split(":", 1)[0])
        return BotIdentity(bot_id, config.bot_username, config.bot_first_name, token)

    def _world_changed(self) -> None:
        """The MAX world changed: the shared change feed (web chat, long polls) moves on."""
        self.state.version += 1
        self.state.changed.notify()

    # -- lifecycle -----------------------------------------------------------

    async def start(self, run_reply: ReplyRunner) -> None:
        self._flusher = asyncio.create_task(self._flush_loop(), name="sandbox-flush")
        self._pusher = WebhookPusher(self.state, run_reply)
        self._pusher.start()
        self.max.start()

    async def stop(self) -> None:
        self.faults.stopping.set()
        if self._pusher is not None:
            await self._pusher.stop()
        await self.max.stop()
        if self._flusher is not None:
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher
        if self._writing is not None:
            with contextlib.suppress(Exception):
                await self._writing  # a write the flusher started finishes first
        await self.flush()
        self.store.close()

    async def flush(self) -> None:
        """Write what changed, after any write still running (one at a time).

        The write runs in a worker thread and is shielded: cancelling the
        flusher does not stop the thread, and ``stop`` waits for it before
        closing the store (closing under a running write crashed the process)."""
        previous = self._writing
        if previous is not None and not previous.done():
            with contextlib.suppress(Exception):  # its own flush reported it
                await asyncio.shield(previous)
        rows = self.store.take_dirty(self.state) + self.max.state.take_dirty()
        if rows:
            self._writing = asyncio.ensure_future(asyncio.to_thread(self.store.write, rows))
            await asyncio.shield(self._writing)

    async def _flush_loop(self) -> None:
        while True:
            await asyncio.sleep(self.config.flush_interval)
            try:
                await self.flush()
            except Exception:  # keep the sandbox serving; the next flush retries
                log.exception("could not save the sandbox state")

    # -- people and chats (control API and demo seeding) ---------------------

    def ensure_user(
        self,
        user_id: int,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        *,
        started: bool | None = None,
    ) -> User:
        """Create the user (and their private chat with the bot) or update the names."""
        user = self.state.users.get(user_id) or User(user_id, first_name)
        user.first_name, user.last_name, user.username = first_name, last_name, username
        if started is not None:
            user.started = started
        self.state.put_user(user)
        if user_id not in self.state.chats:
            self.state.put_chat(Chat(user_id, "private"))
        return user

    def ensure_chat(
        self,
        chat_id: int,
        title: str,
        *,
        chat_type: str = "supergroup",
        is_forum: bool = False,
        bot_status: str = "administrator",
        members: dict[int, str] | None = None,
    ) -> Chat:
        """Create or update a group; ``members`` maps user ids to their status."""
        chat = self.state.chats.get(chat_id) or Chat(chat_id, chat_type)
        chat.type, chat.title, chat.is_forum = chat_type, title, is_forum
        chat.members[self.state.bot.id] = bot_status
        for user_id, status in (members or {}).items():
            chat.members[user_id] = status
        self.state.put_chat(chat)
        return chat

    def set_member(self, chat: Chat, user_id: int, status: str = MEMBER) -> None:
        chat.members[user_id] = status
        self.state.put_chat(chat)

    def chats_of(self, user_id: int) -> list[Chat]:
        """The chats a person sees: their private chat with the bot and their groups."""
        return [
            chat
            for chat in self.state.chats.values()
            if (chat.type == "private" and chat.id == user_id)
            or (chat.type != "private" and chat.status_of(user_id) in PRESENT)
        ]
