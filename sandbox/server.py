"""Running the sandbox: as an aiohttp app, or in-process for tests and the demo.

In-process use::

    from sandbox.server import running_sandbox

    async with running_sandbox(data_dir=tmp_path, flood_limits=False) as sandbox:
        bot = Bot(sandbox.token, session=AiohttpSession(
            api=TelegramAPIServer.from_base(sandbox.url)))
        await sandbox.control.send(user_id=1001, chat_id=1001, text="Привет")

``sandbox.url`` is the base URL for both the Bot API (``/bot<token>/…``) and
the web chat (``/``); ``sandbox.control`` is a ``SandboxControl`` client of the
control API; ``sandbox.sandbox`` is the ``Sandbox`` object itself.
"""

from __future__ import annotations

import contextlib
import functools
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from aiohttp import web

from sandbox import _botapi as botapi
from sandbox import _webchat as webchat
from sandbox import control
from sandbox._botapi import SANDBOX_KEY, run_webhook_reply
from sandbox._files import UPLOAD_LIMIT
from sandbox.client import SandboxControl
from sandbox.core import Sandbox, SandboxConfig
from sandbox.max import api as max_api


class CannotListen(RuntimeError):
    """The sandbox could not bind its address (usually: the port is taken)."""

    def __init__(self, host: str, port: int, reason: str) -> None:
        super().__init__(f"cannot listen on {host}:{port}: {reason}")
        self.host, self.port, self.reason = host, port, reason


def create_app(config: SandboxConfig) -> web.Application:
    """The sandbox's aiohttp application (Bot API, control API, web chat)."""
    sb = Sandbox(config)
    app = web.Application(
        client_max_size=UPLOAD_LIMIT + 1024 * 1024, middlewares=[control.control_errors]
    )
    app[SANDBOX_KEY] = sb
    botapi.add_routes(app)
    max_api.add_routes(app, sb.max)
    control.add_routes(app)
    webchat.add_routes(app)
    app.on_startup.append(_start)
    app.on_shutdown.append(_release_waiters)
    app.on_cleanup.append(_stop)
    return app


async def _start(app: web.Application) -> None:
    sb = app[SANDBOX_KEY]
    await sb.start(functools.partial(run_webhook_reply, sb))


async def _release_waiters(app: web.Application) -> None:
    app[SANDBOX_KEY].faults.stopping.set()
    app[SANDBOX_KEY].feed.close()  # a long poll would hold the shutdown for its timeout
    app[SANDBOX_KEY].max.closing()


async def _stop(app: web.Application) -> None:
    await app[SANDBOX_KEY].stop()


@dataclass
class SandboxHandle:
    """A running sandbox: where it listens and how to drive it."""

    sandbox: Sandbox
    url: str
    control: SandboxControl

    @property
    def token(self) -> str:
        return self.sandbox.state.bot.token

    @property
    def bot_id(self) -> int:
        return self.sandbox.state.bot.id

    @property
    def web_chat_url(self) -> str:
        return f"{self.url}/"

    @property
    def max_url(self) -> str:
        """The MAX Bot API's base URL (a client's API URL)."""
        return f"{self.url}{max_api.PREFIX}"

    @property
    def max_token(self) -> str:
        return self.sandbox.max.state.bot.token


@contextlib.asynccontextmanager
async def running_sandbox(
    data_dir: Path,
    *,
    port: int = 0,
    host: str = "127.0.0.1",
    flood_limits: bool = True,
    token: str | None = None,
    max_token: str | None = None,
    max_upload_delay: float = 0.3,
) -> AsyncIterator[SandboxHandle]:
    """Serve a sandbox on ``host:port`` (0: a free port) until the block ends."""
    config = SandboxConfig(
        data_dir=data_dir,
        flood_limits=flood_limits,
        token=token,
        max_token=max_token,
        max_upload_delay=max_upload_delay,
    )
    app = create_app(config)
    runner = web.AppRunner(app, shutdown_timeout=1.0, access_log=None)
    await runner.setup()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        await runner.cleanup()
        raise CannotListen(host, port, exc.strerror or str(exc)) from exc
    site = web.SockSite(runner, sock)
    await site.start()
    url = f"http://{host}:{sock.getsockname()[1]}"
    app[SANDBOX_KEY].max.base_url = url  # until a MAX call says how the bot reaches us
    session = aiohttp.ClientSession()
    try:
        yield SandboxHandle(app[SANDBOX_KEY], url, SandboxControl(url, session))
    finally:
        await session.close()
        await runner.cleanup()
