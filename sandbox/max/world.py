"""The MAX side of the sandbox as one object: its state, limits, faults and update feeds.

``Sandbox`` (``sandbox/core.py``) builds one ``MaxWorld`` beside the Telegram
world; both keep their rows in the same SQLite file and share the file store
and the change feed the web chat listens to.
"""

from __future__ import annotations

import re
import secrets
import time
from collections import Counter
from collections.abc import Callable, Iterable

from sandbox._faults import FaultBoard
from sandbox._files import FileStore
from sandbox._flood import FloodLimiter, FloodLimits
from sandbox._state import Notifier
from sandbox.max.model import MaxBot, MaxUser
from sandbox.max.state import MaxState
from sandbox.max.updates import MaxFeed, MaxPusher

DEFAULT_BOT_ID = 9000000001
# MAX allows about 30 requests a second to its API in all (GET /updates has its own limit).
RATE = 30.0
# A token is any run of visible ASCII characters (MAX's are long base64url strings).
_TOKEN = re.compile(r"[!-~]{1,512}")


def now_ms() -> int:
    return int(time.time() * 1000)


class MaxWorld:
    def __init__(
        self,
        *,
        rows: Iterable[tuple[str, str, str]],
        files: FileStore,
        changed: Callable[[], None],
        changes: Notifier,
        token: str | None = None,
        upload_delay: float = 0.3,
        flood_limits: bool = True,
        bot_username: str = "supportdesk_max_bot",
        bot_first_name: str = "Поддержка 1С",
    ) -> None:
        if token is not None and not _TOKEN.fullmatch(token):
            raise ValueError("a MAX token is 1-512 visible ASCII characters, no spaces")
        loaded = MaxState.load(rows, changed)
        if loaded is None:
            bot = MaxBot(
                DEFAULT_BOT_ID,
                bot_username,
                bot_first_name,
                token or secrets.token_urlsafe(36),
            )
            loaded = MaxState(bot, changed)
            loaded.touch_bot()
        self.state = loaded
        if token and self.state.bot.token != token:
            self.state.bot.token = token
            self.state.touch_bot()
        self.files = files
        # The shared change feed (the web chat and control-API long polls wait on it).
        self.changes = changes
        self.upload_delay = upload_delay
        # One bucket for everything: the Telegram limiter with every limit at 30/s.
        limits = FloodLimits(chat_rate=RATE, chat_burst=RATE, global_rate=RATE, global_burst=RATE)
        self.flood = FloodLimiter(enabled=flood_limits, limits=limits)
        self.faults = FaultBoard()
        self.feed = MaxFeed(self.state)
        self.calls: Counter[str] = Counter()
        self.not_ready = 0  # sends refused with attachment.not.ready
        # The bot's "typing…" and the like, per user: (action, unix time).
        self.actions: dict[int, tuple[str, float]] = {}
        # Where the bot reaches the sandbox ("http://host:port"): attachment URLs use it.
        self.base_url = ""
        self.pusher = MaxPusher(self.state, lambda: self.base_url)

    # -- lifecycle -----------------------------------------------------------

    def start(self) -> None:
        self.pusher.start()

    def closing(self) -> None:
        """The server is stopping: release waiting long polls and hanging faults."""
        self.faults.stopping.set()
        self.feed.close()

    async def stop(self) -> None:
        self.closing()
        await self.pusher.stop()

    # -- people --------------------------------------------------------------

    def ensure_user(
        self,
        user_id: int,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        *,
        started: bool | None = None,
    ) -> MaxUser:
        """Create the MAX user (and their dialog with the bot) or update the names."""
        user = self.state.users.get(user_id) or MaxUser(user_id, first_name)
        user.first_name, user.last_name, user.username = first_name, last_name, username
        if started is not None:
            user.started = started
        if not user.last_activity_time:
            user.last_activity_time = now_ms()
        self.state.put_user(user)
        return user

    def new_user_id(self) -> int:
        candidate = 1001
        while candidate in self.state.users:
            candidate += 1
        return candidate
