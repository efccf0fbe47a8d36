"""``supportdesk demo``: the product offline — the Bot API sandbox, its web chat and the bot.

Starts the sandbox (``sandbox.server.running_sandbox``) with the demo's people
(user 1001, consultants 2001 and 2002, the staff forum supergroup
-1001000000001 with the bot as admin), prepares the SQLite database in the
data directory (migrations, then ``bot/demo_config.toml`` through the
config-apply service) and runs the bot against the sandbox's URL — the same
bot code that runs against Telegram when a token is set. Ctrl-C (SIGINT) or
SIGTERM stops everything; a second run finds the data where it was.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import signal
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from pydantic import SecretStr

from bot.settings import Settings
from sandbox.core import Sandbox
from sandbox.model import ADMINISTRATOR, MEMBER
from sandbox.server import CannotListen, SandboxHandle, running_sandbox

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[2]
DEMO_CONFIG = REPO / "bot" / "demo_config.toml"
STARTER_FAQ = REPO / "knowledge" / "faq"

USER_ID = 1001
CONSULTANT_IDS = (2001, 2002)
STAFF_CHAT_ID = -1001000000001
INVITE_CODE = "demo"  # the demo config's invite for the client "Демо"

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
QUIET_LOGGERS = ("alembic", "pymorphy3", "aiogram.event")

RunBot = Callable[..., Coroutine[Any, Any, None]]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    demo = subparsers.add_parser(
        "demo", help="демо без интернета: песочница Telegram, веб-чат и бот (токен не нужен)"
    )
    demo.add_argument("--port", type=int, default=8080, help="порт песочницы и веб-чата")
    demo.add_argument("--host", default="127.0.0.1", help="адрес, на котором слушать")
    demo.add_argument("--data-dir", type=Path, default=Path("var/demo"), help="каталог данных демо")
    demo.set_defaults(handler=_run)


@cache
def _templates() -> Environment:
    return Environment(
        loader=FileSystemLoader(Path(__file__).with_name("templates")),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,  # terminal text
    )


def _say(template: str, **context: Any) -> None:
    print(_templates().get_template(template).render(**context), flush=True)


def seed(sandbox: Sandbox) -> None:
    """The demo's people and the staff group (idempotent: names are refreshed)."""
    sandbox.ensure_user(USER_ID, "Ольга", "Петрова", "olga_buh")
    sandbox.ensure_user(CONSULTANT_IDS[0], "Анна", "Смирнова", "anna")
    sandbox.ensure_user(CONSULTANT_IDS[1], "Борис", "Ким", "boris")
    sandbox.ensure_chat(
        STAFF_CHAT_ID,
        "Поддержка 1С — команда «Демо»",
        is_forum=True,
        bot_status=ADMINISTRATOR,
        members={CONSULTANT_IDS[0]: MEMBER, CONSULTANT_IDS[1]: ADMINISTRATOR},
    )


def demo_settings(handle: SandboxHandle, data_dir: Path) -> Settings:
    database = data_dir / "supportdesk.sqlite3"
    return Settings(
        bot_token=SecretStr(handle.token),
        telegram_api_url=handle.url,
        webhook_url="",
        database_url=f"sqlite+aiosqlite:///{database}",
        config_file=DEMO_CONFIG,
        knowledge_path=STARTER_FAQ,
    )


async def prepare_database(settings: Settings) -> None:
    """Migrate the demo database and apply the demo config (idempotent).

    Imported here, not at the top: ``supportdesk demo`` must still serve the
    sandbox when the bot's storage cannot load.
    """
    from bot.services.config import apply_config
    from desk.config import load_config
    from storage.engine import create_engine
    from storage.migrate import upgrade
    from storage.uow import UnitOfWorkFactory

    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
        config = load_config(settings.config_file)
        async with UnitOfWorkFactory(engine)() as uow:
            await apply_config(uow, config, source=str(settings.config_file), now=datetime.now(UTC))
    finally:
        await engine.dispose()


def _bot_runner() -> tuple[RunBot | None, str]:
    """``bot.app.run_bot`` if the bot can be loaded, else the reason it cannot."""
    try:
        module = importlib.import_module("bot.app")
    except ImportError as exc:
        return None, f"{type(exc).__name__}: {exc}"
    runner = getattr(module, "run_bot", None)
    if runner is None:
        return None, "bot.app has no run_bot"
    return runner, ""


async def _join_demo_user(handle: SandboxHandle) -> None:
    """On the first run, user 1001 joins the client through the bot's own invite flow."""
    if handle.sandbox.state.chat_messages(USER_ID):
        return
    await handle.control.send(USER_ID, USER_ID, f"/start {INVITE_CODE}")


def _report_bot_failure(task: asyncio.Task[None]) -> None:
    """Say at once when the bot dies; the sandbox keeps serving until Ctrl-C."""
    if task.cancelled() or task.exception() is None:
        return
    error = task.exception()
    log.error("the demo bot stopped", exc_info=error)
    _say("demo_bot_failed.j2", error=f"{type(error).__name__}: {error}")


async def run_demo(
    data_dir: Path, *, port: int, host: str, stop: asyncio.Event, with_bot: bool = True
) -> bool:
    """Serve the demo until ``stop`` is set (``data_dir`` absolute).

    Returns False when the bot was meant to run but failed.
    """
    async with running_sandbox(data_dir / "sandbox", port=port, host=host) as handle:
        seed(handle.sandbox)
        settings = demo_settings(handle, data_dir)
        runner, problem = _bot_runner() if with_bot else (None, "запущено без бота")
        if runner is not None:
            try:
                await prepare_database(settings)
            except Exception as exc:  # the sandbox stays useful without the bot
                log.exception("demo database could not be prepared")
                runner, problem = None, f"база данных: {exc}"
        _say(
            "demo_banner.j2",
            web_url=handle.web_chat_url,
            api_url=handle.url,
            token=handle.token,
            data_dir=data_dir,
            user_id=USER_ID,
            consultant_ids=CONSULTANT_IDS,
            staff_chat_id=STAFF_CHAT_ID,
            bot_ready=runner is not None,
            bot_problem=problem,
            database=settings.database_url.removeprefix("sqlite+aiosqlite:///"),
        )
        bot_task: asyncio.Task[None] | None = None
        if runner is not None:
            bot_task = asyncio.create_task(runner(settings, stop=stop), name="demo-bot")
            bot_task.add_done_callback(_report_bot_failure)
            await _join_demo_user(handle)
        await stop.wait()
        bot_ok = runner is not None or not with_bot
        if bot_task is not None:
            await asyncio.wait([bot_task])
            bot_ok = not bot_task.cancelled() and bot_task.exception() is None
    _say("demo_stopped.j2", data_dir=data_dir)
    return bot_ok


async def _main(args: argparse.Namespace) -> bool:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    return await run_demo(args.data_dir, port=args.port, host=args.host, stop=stop)


def _run(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    for noisy in QUIET_LOGGERS:  # the banner should not drown in start-up chatter
        logging.getLogger(noisy).setLevel(logging.WARNING)
    args.data_dir = args.data_dir.resolve()
    try:
        bot_ok = asyncio.run(_main(args))
    except CannotListen as exc:
        _say("demo_port_busy.j2", host=exc.host, port=exc.port, reason=exc.reason)
        return 1
    return 0 if bot_ok else 1
