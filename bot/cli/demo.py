"""``supportdesk demo``: the product offline — the Bot API sandbox, its web chat and the bot.

Starts the sandbox (``sandbox.server.running_sandbox``) with the demo's people
(``PEOPLE``: five users of the client «Демо» on Telegram, 1003 its manager, and
a sixth, 1006, on MAX; a user of a second client, «Урал-Снаб»; consultants 2001
and 2002 and line-2 engineer 2003 in the staff forum supergroup -1001000000001
with the bot as admin), prepares the SQLite database in the data directory
(migrations, then ``bot/demo_config.toml`` through the config-apply service)
and runs the bot against the sandbox — the same bot code that runs against
Telegram and MAX when their tokens are set (its MAX side on ``<sandbox>/max``) —
with the client page on the next port (its link secret is made once and kept in
the data directory). On the first run every user joins their client through the
bot's own deep link, ``/start <invite>`` (on MAX the sandbox turns it into
``bot_started``). Ctrl-C (SIGINT) or SIGTERM stops everything; a second run
finds the data where it was.

The demo config is applied in full on the first run only.  Later runs add
what the demo config has and the database lacks, and leave everything else
as an operator may have changed it (``config apply`` of their own file),
saying what differs; ``--reset`` moves the old data aside and starts anew.
If the bot stops with an error, the sandbox keeps serving and the bot is
started again with a growing pause (1 s to 30 s), saying so each time.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import logging
import secrets
import signal
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from pydantic import SecretStr

from bot.settings import Settings
from desk.channels import Channel
from sandbox.core import Sandbox
from sandbox.model import ADMINISTRATOR, MEMBER
from sandbox.server import CannotListen, SandboxHandle, running_sandbox

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[2]
DEMO_CONFIG = REPO / "bot" / "demo_config.toml"
STARTER_FAQ = REPO / "knowledge" / "faq"


@dataclass(frozen=True)
class Person:
    id: int  # the person's id in their messenger (the sandbox's user id)
    first_name: str
    last_name: str
    username: str
    role: str  # what the banner says they are
    invite: str | None = None  # the demo config's invite they join with (users only)
    channel: Channel = Channel.TELEGRAM  # where they write from (staff: Telegram)


PEOPLE = (
    Person(1001, "Ольга", "Петрова", "olga_buh", "бухгалтер «Демо»", "demo"),
    Person(1002, "Игорь", "Соколов", "igor_sklad", "кладовщик «Демо»", "demo"),
    Person(1003, "Светлана", "Иванова", "svetlana_fd", "финансовый директор «Демо», "
           "менеджер клиента: /tickets и страница клиента", "demo"),
    Person(1004, "Марина", "Кузнецова", "marina_kassa", "кассир «Демо»", "demo"),
    Person(1005, "Алексей", "Морозов", "alexey_econ", "экономист «Демо»", "demo"),
    Person(1006, "Ирина", "Соколова", "irina_s", "кадровик «Демо»", "demo", Channel.MAX),
    Person(1101, "Дарья", "Волкова", "darya_ural", "бухгалтер «Урал-Снаб» (другой клиент: "
           "заявок «Демо» не видит)", "ural"),
    Person(2001, "Анна", "Смирнова", "anna", "консультант, 1-я линия"),
    Person(2002, "Борис", "Ким", "boris", "консультант, 1-я линия, руководитель группы"),
    Person(2003, "Дмитрий", "Орлов", "dmitry", "инженер 2-й линии"),
)  # fmt: skip
USERS = tuple(p for p in PEOPLE if p.invite is not None)
STAFF = tuple(p for p in PEOPLE if p.invite is None)
USER_ID = 1001
MANAGER_ID = 1003
MAX_USER_ID = 1006
DEMO_CLIENT = "DEMO"  # the client whose invite links the banner prints
CONSULTANT_IDS = (2001, 2002)
STAFF_CHAT_ID = -1001000000001
WEB_SECRET_FILE = "web_secret"  # in the data directory: the client page's link secret

QUIET_LOGGERS = ("alembic", "pymorphy3", "aiogram.event")

RunBot = Callable[..., Coroutine[Any, Any, None]]


def register(demo: argparse.ArgumentParser) -> None:
    demo.add_argument("--port", type=int, default=8080, help="порт песочницы и веб-чата")
    demo.add_argument(
        "--web-port", type=int, default=None, help="порт страницы клиента (по умолчанию --port + 1)"
    )
    demo.add_argument("--host", default="127.0.0.1", help="адрес, на котором слушать")
    demo.add_argument("--data-dir", type=Path, default=Path("var/demo"), help="каталог данных демо")
    demo.add_argument(
        "--reset",
        action="store_true",
        help="начать заново: прежние данные демо переносятся в соседний каталог *.bak-<время>",
    )
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
    """The demo's people and the staff group (idempotent: names are refreshed).

    A MAX user is made as one who has not opened the dialog yet: their deep link
    (``_join_demo_users``) opens it, and tells a later run they have joined."""
    for person in PEOPLE:
        if person.channel is Channel.MAX:
            known = person.id in sandbox.max.state.users
            sandbox.max.ensure_user(
                person.id,
                person.first_name,
                person.last_name,
                person.username,
                started=None if known else False,
            )
        else:
            sandbox.ensure_user(person.id, person.first_name, person.last_name, person.username)
    sandbox.ensure_chat(
        STAFF_CHAT_ID,
        "Поддержка 1С — команда «Демо»",
        is_forum=True,
        bot_status=ADMINISTRATOR,
        members={p.id: ADMINISTRATOR if p.id == 2002 else MEMBER for p in STAFF},
    )


def web_secret(data_dir: Path) -> SecretStr:
    """The client page's link secret: made on the first run, kept in the data
    directory (readable by its owner only), so links stay valid across restarts."""
    path = data_dir / WEB_SECRET_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(32), encoding="ascii")
    return SecretStr(path.read_text(encoding="ascii").strip())


def demo_settings(handle: SandboxHandle, data_dir: Path, web_port: int | None = None) -> Settings:
    """The bot's settings against the sandbox; the client page on ``web_port``
    (default: the sandbox's port + 1) of the sandbox's host."""
    database = data_dir / "supportdesk.sqlite3"
    where = urlsplit(handle.url)
    host = where.hostname or "127.0.0.1"
    port = (where.port or 80) + 1 if web_port is None else web_port
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # what a browser can open
    return Settings(
        bot_token=SecretStr(handle.token),
        telegram_api_url=handle.url,
        max_token=SecretStr(handle.max_token),
        max_api_url=handle.max_url,
        webhook_url="",
        database_url=f"sqlite+aiosqlite:///{database}",
        config_file=DEMO_CONFIG,
        knowledge_path=STARTER_FAQ,
        web_host=host,
        web_port=port,
        web_base_url=f"http://{shown}:{port}",
        web_secret=web_secret(data_dir),
        web_in_bot=True,
    )


@dataclass(frozen=True)
class DemoConfigState:
    """What the demo config did to the database on this start."""

    first_run: bool = False
    added: list[str] = field(default_factory=list)  # "client DEMO", ...
    differs: list[str] = field(default_factory=list)  # left as the operator set it
    # DEMO's invite links as the database now has them: (messenger, link), as
    # ``supportdesk invite --client DEMO`` prints them
    invites: list[tuple[str, str]] = field(default_factory=list)


async def prepare_database(
    settings: Settings, bots: dict[Channel, str] | None = None
) -> DemoConfigState:
    """Migrate the demo database and bring in the demo config (see the module's note);
    with ``bots`` (each messenger's bot username) the state carries DEMO's invite links.

    Imported here, not at the top: ``supportdesk demo`` must still serve the
    sandbox when the bot's storage cannot load.
    """
    from bot.services.config import apply_config
    from bot.services.onboarding import invites
    from desk.config import Action, diff, load_config
    from storage.engine import create_engine
    from storage.migrate import upgrade
    from storage.uow import UnitOfWorkFactory

    engine = create_engine(settings.database_url)
    try:
        await upgrade(engine)
        config = load_config(settings.config_file)
        async with UnitOfWorkFactory(engine)() as uow:
            current = await uow.directory.load()
            first = not (current.clients or current.teams or current.staff)
            changes = diff(current, config)
            only = None if first else frozenset({Action.ADD})
            applied = await apply_config(
                uow, config, source=str(settings.config_file), now=datetime.now(UTC), only=only
            )
            loaded = await uow.directory.load()
    finally:
        await engine.dispose()
    links = []
    if bots and DEMO_CLIENT in loaded.clients:  # it is: the demo config adds it back
        links = [(i.channel.label, i.link) for i in invites(loaded, DEMO_CLIENT, bots)]
    label = {Action.ADD: "нет в базе", Action.CHANGE: "в базе иначе", Action.REMOVE: "нет в демо"}
    return DemoConfigState(
        first_run=first,
        added=[] if first else [f"{c.kind} {c.key}" for c in applied],
        differs=[f"{c.kind} {c.key} ({label[c.action]})" for c in changes if c not in applied],
        invites=links,
    )


def reset_data(data_dir: Path) -> Path | None:
    """Move ``data_dir`` aside (nothing is deleted); where it went, or None if absent."""
    if not data_dir.exists():
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    target = data_dir.with_name(f"{data_dir.name}.bak-{stamp}")
    data_dir.rename(target)
    return target


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


async def _join_demo_users(handle: SandboxHandle) -> None:
    """On the first run, each user joins their client through the bot's own deep
    link (``/start <invite>``; on MAX the sandbox turns it into ``bot_started``);
    one who has written (on MAX: opened the dialog) before is left as they are."""
    for user in USERS:
        if user.channel is Channel.MAX:
            found = handle.sandbox.max.state.users.get(user.id)
            if found is not None and not found.started:
                await handle.control.send(user.id, user.id, f"/start {user.invite}", channel="max")
        elif not handle.sandbox.state.chat_messages(user.id):
            await handle.control.send(user.id, user.id, f"/start {user.invite}")


RESTART_FIRST = 1.0
RESTART_MAX = 30.0
STEADY = 60.0  # a bot that ran this long before failing starts again at once


async def _pass_on(stop: asyncio.Event, own_stop: asyncio.Event) -> None:
    await stop.wait()
    own_stop.set()


async def supervise(runner: RunBot, settings: Settings, stop: asyncio.Event) -> int:
    """Run the bot until ``stop``; after a failure start it again with a growing
    pause, saying so.  The bot's own stop event is its own: a failing bot sets
    it, and that must not end the demo.  Returns how many times it was restarted."""
    loop = asyncio.get_running_loop()
    delay, restarts = RESTART_FIRST, 0
    while not stop.is_set():
        own_stop = asyncio.Event()
        forward = asyncio.create_task(_pass_on(stop, own_stop))
        started = loop.time()
        error: Exception | None = None
        try:
            await runner(settings, stop=own_stop)
        except Exception as exc:
            error = exc
        finally:
            forward.cancel()
        if stop.is_set():
            break
        if loop.time() - started >= STEADY:
            delay = RESTART_FIRST
        log.error("the demo bot stopped; starting it again in %.0f s", delay, exc_info=error)
        reason = f"{type(error).__name__}: {error}" if error else "бот завершился сам"
        _say("demo_bot_failed.j2", error=reason, delay=delay)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=delay)
        delay = min(RESTART_MAX, delay * 2)
        restarts += 1
    return restarts


async def run_demo(
    data_dir: Path,
    *,
    port: int,
    host: str,
    stop: asyncio.Event,
    with_bot: bool = True,
    reset: bool = False,
    web_port: int | None = None,
    configure_logs: bool = False,
) -> bool:
    """Serve the demo until ``stop`` is set (``data_dir`` absolute); with
    ``configure_logs``, the process logs as the product does (``bot.logs``:
    ``SUPPORTDESK_LOG_FORMAT=json`` for log shippers, secrets scrubbed).

    Returns False when the bot was meant to run but could not start at all.
    """
    moved = reset_data(data_dir) if reset else None
    async with running_sandbox(data_dir / "sandbox", port=port, host=host) as handle:
        seed(handle.sandbox)
        settings = demo_settings(handle, data_dir, web_port)
        if configure_logs:
            from bot import logs

            logs.configure(settings)
        runner, problem = _bot_runner() if with_bot else (None, "запущено без бота")
        config_state = DemoConfigState()
        bots = {
            Channel.TELEGRAM: handle.sandbox.state.bot.username,
            Channel.MAX: handle.sandbox.max.state.bot.username,
        }
        if runner is not None:
            try:
                config_state = await prepare_database(settings, bots)
            except Exception as exc:  # the sandbox stays useful without the bot
                log.exception("demo database could not be prepared")
                runner, problem = None, f"база данных: {exc}"
        _say(
            "demo_banner.j2",
            web_url=handle.web_chat_url,
            api_url=handle.url,
            token=handle.token,
            max_url=handle.max_url,
            data_dir=data_dir,
            page_url=settings.web_base_url,
            users=USERS,
            staff=STAFF,
            manager_id=MANAGER_ID,
            staff_chat_id=STAFF_CHAT_ID,
            bot_ready=runner is not None,
            bot_problem=problem,
            database=settings.database_url.removeprefix("sqlite+aiosqlite:///"),
            config=config_state,
            moved=moved,
        )
        bot_task: asyncio.Task[int] | None = None
        if runner is not None:
            bot_task = asyncio.create_task(supervise(runner, settings, stop), name="demo-bot")
            await _join_demo_users(handle)
        await stop.wait()
        if bot_task is not None:
            await asyncio.wait([bot_task])
    _say("demo_stopped.j2", data_dir=data_dir)
    return runner is not None or not with_bot


async def _main(args: argparse.Namespace) -> bool:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    return await run_demo(
        args.data_dir,
        port=args.port,
        host=args.host,
        stop=stop,
        reset=args.reset,
        web_port=args.web_port,
        configure_logs=True,
    )


def _run(args: argparse.Namespace) -> int:
    from bot import logs

    # as the product logs (SUPPORTDESK_LOG_FORMAT, LEVEL); the sandbox's secrets are
    # added to the scrubbed ones once it has started (run_demo)
    logs.configure(Settings())
    for noisy in QUIET_LOGGERS:  # the banner should not drown in start-up chatter
        logging.getLogger(noisy).setLevel(logging.WARNING)
    args.data_dir = args.data_dir.resolve()
    try:
        bot_ok = asyncio.run(_main(args))
    except CannotListen as exc:
        _say("demo_port_busy.j2", host=exc.host, port=exc.port, reason=exc.reason)
        return 1
    return 0 if bot_ok else 1
