"""The chaos run of issue 17: two instances behind nginx on one PostgreSQL; one is
killed with SIGKILL in the middle of a burst, the database is restarted in the
middle of another.

What runs (everything real but Telegram and MAX, which the sandbox plays):

- a PostgreSQL cluster of its own (``pg_createcluster <ver> chaos --port 55433``,
  trust on loopback, not started at boot), dropped at the end; the machine's
  other clusters are never touched;
- the sandbox in this process, Telegram's flood limits and MAX's 30 requests a
  second on, pushing both messengers' updates to their webhooks as Telegram
  does (up to 40 at once, one chat's one at a time, retried until taken);
- Debian's nginx (``apt-get install nginx`` if missing) on a free local port,
  proxying ``/telegram/webhook`` and ``/max/webhook`` to the two instances as
  README "Several instances" shows;
- two ``supportdesk run`` processes, instances ``bot-1`` and ``bot-2``, in
  webhook mode for Telegram and for MAX (``SUPPORTDESK_MAX_WEBHOOK_URL``) on
  that database, the demo's config applied with ``supportdesk config apply``.
  Each keeps Telegram's and MAX's limits on its side
  (``SUPPORTDESK_FLOOD_LIMITS=true``, as in production): each paces itself
  alone, so together they can go past the 30 a second the bot has, and the
  sandbox's 429s, retried, are part of the run.

Phase 1: ``--users`` users of «Демо» (bound to it in the database, as an
invite would; ``--max-share`` of them, 20 %, on MAX, mixed in) write a request
each at once. When half of them are confirmed, bot-1 is killed with SIGKILL
and a new user of each messenger writes at once (the failover target:
confirmed within 10 s); the burst goes on on bot-2. Then bot-1 is started
again, as a supervisor would.

Phase 2: as many other users write at once; when half are confirmed the
cluster is restarted (``pg_ctlcluster <ver> chaos restart``) and a new user
of each messenger writes as soon as it is back.

Printed per phase and messenger: requests sent; tickets registered (each user must have
exactly one: 0 lost, 0 duplicated); confirmations delivered and the second
copies (a row sent but not recorded when its sender died is sent again: the
at-least-once window); cards in the staff group (they trail: Telegram takes 20
messages a minute into one group, so most are still queued, counted from the
outbox); the time to recover; the probe's wait. The exit status is 1 when a
target is missed.

    make chaos                          (as root; 1,000 users a phase, ~3 minutes)
    make chaos ARGS="--users 100"
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from desk.channels import Address, Channel, channel_of, max_key
from desk.model import User
from sandbox.client import SandboxControl
from sandbox.max.model import MaxMessage
from sandbox.server import SandboxHandle, running_sandbox
from storage.database import Database
from storage.outbox import FAILED, PENDING
from storage.tables import LeaseRow, OutboxRow, TicketRow

REPO = Path(__file__).parents[1]
DEMO_CONFIG = REPO / "bot" / "demo_config.toml"
TEST_FAQ = REPO / "tests" / "e2e" / "faq"  # three entries: the requests below match none
CLUSTER = "chaos"  # the only cluster this script creates, restarts and drops
STAFF_CHAT = -1001000000001  # the demo's staff forum
STAFF = {2001: "administrator", 2002: "member", 2003: "member"}
PEOPLE = {1003: "Светлана", 1005: "Алексей"}  # DEMO's manager and approver
WEBHOOK_SECRET = "chaos-run-webhook-secret"
MAX_WEBHOOK_SECRET = "chaos-run-max-webhook-secret"
CONFIRMED = "зарегистрирована"
CARD_USER = re.compile(r"Пользователь: Абонент (\d+)")
FAILOVER_TARGET = 10.0  # seconds: a new request confirmed with one instance killed
PHASE_USERS = (7_100_000, 7_200_000)  # the first user id of each phase's burst
MAX_IDS = 1_000_000  # a MAX user's id: its Telegram counterpart's plus this
# per phase, a new user who writes right after the event, and one once the burst is
# through (Telegram's; MAX's are these plus MAX_IDS)
PROBES = ((7_300_001, 7_300_011), (7_300_002, 7_300_012))
CHANNELS = (Channel.TELEGRAM, Channel.MAX)


def say(line: str) -> None:
    print(line, flush=True)


# -- the machine: nginx, the PostgreSQL cluster ------------------------------------------


def ensure_nginx() -> str:
    """nginx's binary, installed from Debian's package as CI would if it is missing."""
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if found:
        return found
    say("nginx is missing: apt-get install nginx")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", "--no-install-recommends", "nginx"]
    if subprocess.run(install, env=env, check=False).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=env, check=True)
        subprocess.run(install, env=env, check=True)
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if not found:
        raise SystemExit("nginx was installed but is not on the PATH")
    return found


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Cluster:
    """Our own PostgreSQL cluster (``pg_createcluster``), never the machine's main one."""

    version: str
    port: int
    created: bool = False

    @staticmethod
    def newest_version() -> str:
        found = sorted(
            (p.parent.parent.name for p in Path("/usr/lib/postgresql").glob("*/bin/initdb")),
            key=lambda v: [int(x) for x in v.split(".") if x.isdigit()],
        )
        if not found:
            raise SystemExit("no PostgreSQL server here (Debian's postgresql package)")
        return found[-1]

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{CLUSTER}"

    def exists(self) -> bool:
        lines = subprocess.run(
            ["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=True
        ).stdout.splitlines()
        return any(line.split()[:2] == [self.version, CLUSTER] for line in lines if line.strip())

    def create(self) -> None:
        if self.exists():  # a run that died before its cleanup
            say(f"dropping the cluster {self.version}/{CLUSTER} a previous run left")
            self.drop()
        if listening(self.port):
            raise SystemExit(f"port {self.port} is taken: choose another with --pg-port")
        say(f"PostgreSQL: cluster {self.version}/{CLUSTER} on port {self.port}")
        subprocess.run(
            ["pg_createcluster", self.version, CLUSTER, "--port", str(self.port),
             "--start-conf", "manual", "--", "--auth-local=trust", "--auth-host=trust"],
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        self.created = True
        subprocess.run(["pg_ctlcluster", self.version, CLUSTER, "start"], check=True)
        subprocess.run(
            ["psql", "-q", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
             "-d", "postgres", "-c", f"CREATE DATABASE {CLUSTER}"],
            check=True,
        )  # fmt: skip

    async def restart(self) -> None:
        process = await asyncio.create_subprocess_exec(
            "pg_ctlcluster", self.version, CLUSTER, "restart"
        )
        if await process.wait() != 0:
            raise RuntimeError("pg_ctlcluster restart failed")

    def drop(self) -> None:
        subprocess.run(
            ["pg_dropcluster", "--stop", self.version, CLUSTER],
            check=False, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        self.created = False


NGINX_CONF = """\
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
daemon off;
events {{ worker_connections 512; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    # as README "Several instances" shows (without TLS: everything is on this machine)
    upstream supportdesk {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        location ~ ^/(telegram|max)/webhook$ {{
            proxy_pass http://supportdesk;
            proxy_next_upstream error timeout http_502 http_503;
            proxy_read_timeout 60s;
        }}
    }}
}}
"""


# -- what the sandbox sees ---------------------------------------------------------------


class Watch:
    """Every new message the bot stores in the sandbox (Telegram's and MAX's), timed
    (monotonic seconds): confirmations by the user's chat key, cards by the key of
    the user they are about."""

    def __init__(self, handle: SandboxHandle) -> None:
        self.confirmed: dict[int, list[float]] = defaultdict(list)
        self.cards: dict[int, list[float]] = defaultdict(list)
        self._trigger: tuple[frozenset[int], int, asyncio.Event] | None = None
        state = handle.sandbox.state
        original = state.put_message

        def put_message(message: dict[str, Any]) -> None:
            chat = message["chat"]["id"]
            new = message["message_id"] not in state.messages.get(chat, {})
            original(message)
            if new and message["from"].get("is_bot"):
                self._seen(chat, str(message.get("text") or message.get("caption") or ""))

        state.put_message = put_message  # type: ignore[method-assign]
        max_state = handle.sandbox.max.state
        max_original = max_state.put_message

        def put_max_message(record: MaxMessage) -> None:
            new = record.mid not in max_state.messages
            max_original(record)
            if new and record.from_bot:
                self._seen(max_key(record.user_id), str(record.message["body"].get("text") or ""))

        max_state.put_message = put_max_message  # type: ignore[method-assign]

    def _seen(self, chat: int, text: str) -> None:
        now = time.monotonic()
        if chat == STAFF_CHAT:
            card = CARD_USER.search(text)
            if card:
                self.cards[key_of_card(int(card.group(1)))].append(now)
            return
        if CONFIRMED not in text:
            return
        self.confirmed[chat].append(now)
        if self._trigger is not None:
            users, count, event = self._trigger
            first = chat in users and len(self.confirmed[chat]) == 1
            if first and self.confirmed_users(users) >= count:
                event.set()
                self._trigger = None

    def when_confirmed(self, users: Iterable[int], count: int) -> asyncio.Event:
        """An event set the moment ``count`` of ``users`` have their confirmation."""
        event = asyncio.Event()
        self._trigger = (frozenset(users), count, event)
        return event

    def confirmed_users(self, users: Iterable[int]) -> int:
        return sum(1 for u in users if self.confirmed.get(u))

    def confirmations_between(self, start: float, end: float = float("inf")) -> list[float]:
        return sorted(t for times in self.confirmed.values() for t in times if start < t <= end)


def key_of_card(uid: int) -> int:
    """The chat key of the user a card names by id (MAX users' ids are the higher)."""
    return max_key(uid) if uid >= PHASE_USERS[0] + MAX_IDS else uid


def uid_of(key: int) -> int:
    return Address.of_key(key).id


class PushFailures(logging.Handler):
    """The sandbox's pushes a webhook did not take (nginx's 502, a refused connection),
    Telegram's and MAX's."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.reasons: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if "webhook delivery failed" in message:
            self.reasons[message.partition(": ")[2][:60]] += 1


# -- the product -------------------------------------------------------------------------


def product_env(handle: SandboxHandle, database_url: str, **more: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SUPPORTDESK_")}
    env.update(
        SUPPORTDESK_BOT_TOKEN=handle.token,
        SUPPORTDESK_TELEGRAM_API_URL=handle.url,
        SUPPORTDESK_MAX_TOKEN=handle.max_token,
        SUPPORTDESK_MAX_API_URL=handle.max_url,
        SUPPORTDESK_DATABASE_URL=database_url,
        SUPPORTDESK_LOG_LEVEL="WARNING",
        **more,
    )
    return env


def cli(env: dict[str, str], *args: str) -> str:
    """``supportdesk ARGS`` (as an operator runs it); its output."""
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", *args], env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(f"supportdesk {' '.join(args)}: {done.stderr.strip()[-2000:]}")
    return done.stdout.strip()


@dataclass
class Instance:
    """One ``supportdesk run`` process in webhook mode behind nginx."""

    name: str
    port: int
    log: Path
    process: asyncio.subprocess.Process | None = None
    starts: int = 0

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.returncode is None

    async def start(self, env: dict[str, str], cwd: Path) -> None:
        self.starts += 1
        env = {**env, "SUPPORTDESK_INSTANCE": self.name, "SUPPORTDESK_WEBHOOK_PORT": str(self.port)}
        with self.log.open("a") as log:
            log.write(f"--- start {self.starts}\n")
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot.cli", "run", cwd=cwd, env=env,
                stdout=log, stderr=log,
            )  # fmt: skip
        deadline = time.monotonic() + 120
        while not listening(self.port):
            if not self.alive or time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} did not start:\n{self.tail()}")
            await asyncio.sleep(0.2)

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)

    async def wait(self) -> int | None:
        return None if self.process is None else await self.process.wait()

    @property
    def exit_code(self) -> int | None:
        return None if self.process is None else self.process.returncode

    async def stop(self) -> None:
        if not self.alive:
            return
        assert self.process is not None
        self.process.terminate()
        try:
            await asyncio.wait_for(self.process.wait(), 20)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()

    def tail(self, lines: int = 15) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def errors(self) -> list[str]:
        """The lines of its log that say ERROR or name an exception."""
        found = []
        for line in self.log.read_text(errors="replace").splitlines():
            if " ERROR " in line or "CRITICAL" in line or line.startswith("Traceback"):
                found.append(line)
        return found


# -- the database, read by the bench -----------------------------------------------------


async def tickets_of(engine: AsyncEngine, users: list[int]) -> Counter[int]:
    async with engine.connect() as db:
        rows = await db.execute(
            select(TicketRow.requester_id, func.count())
            .where(TicketRow.requester_id.in_(users))
            .group_by(TicketRow.requester_id)
        )
        return Counter({int(user): int(n) for user, n in rows.all()})


async def held_lanes(engine: AsyncEngine, instance: str) -> set[int]:
    """The chats whose outbox lane ``instance`` holds (leases ``o:<chat>``)."""
    async with engine.connect() as db:
        names = await db.scalars(
            select(LeaseRow.name).where(LeaseRow.holder.startswith(f"{instance}:"))
        )
        return {int(n[2:]) for n in names if n.startswith("o:")}


async def outbox_counts(engine: AsyncEngine) -> tuple[int, int, int]:
    """Cards still queued for the staff group, rows pending in all, rows failed."""
    async with engine.connect() as db:
        cards = await db.scalar(
            select(func.count()).where(
                OutboxRow.chat_id == STAFF_CHAT, OutboxRow.kind == "topic",
                OutboxRow.state == PENDING,
            )
        )  # fmt: skip
        pending = await db.scalar(select(func.count()).where(OutboxRow.state == PENDING))
        failed = await db.scalar(select(func.count()).where(OutboxRow.state == FAILED))
        return int(cards or 0), int(pending or 0), int(failed or 0)


async def bind_users(database_url: str, users: dict[int, str]) -> None:
    """The users as an invite would have bound them to «Демо» (``/start demo``)."""
    db = await Database.open(database_url)
    try:
        now = datetime.now(UTC)
        async with db.uow() as uow:
            for uid, name in users.items():
                await uow.users.bind(User(uid, "DEMO", name, now))
    finally:
        await db.close()


# -- a phase -----------------------------------------------------------------------------


@dataclass
class Phase:
    title: str
    event: str  # what happens in the middle
    users: list[int]  # chat keys: Telegram's user ids and MAX users' keys, mixed
    # per messenger: a new user who writes right after the event, and one once the
    # burst is through (bot-1 still dead in phase 1)
    probes: dict[Channel, tuple[int, int]]
    sent_at: float = 0.0
    event_at: float = 0.0  # the kill, or the restart's start
    back_at: float = 0.0  # the restart done (the kill: = event_at)
    probe_at: float = 0.0
    ahead: int = 0  # pushes queued before the probes'
    quiet_wait: dict[Channel, float | None] = field(default_factory=dict)
    orphans: set[int] = field(default_factory=set)  # unconfirmed chats the dead one held
    registered: set[int] = field(default_factory=set)  # users with a ticket at the event
    done_at: float | None = None
    missed: list[str] = field(default_factory=list)

    def probe_keys(self) -> list[int]:
        return [probe for probe, _ in self.probes.values()]


def phase_users(phase: int, args: argparse.Namespace) -> list[int]:
    """A burst's users as chat keys: ``args.users`` of them, every n-th on MAX (its
    share ``args.max_share``), the others on Telegram."""
    first = PHASE_USERS[phase]
    share = args.max_share
    keys = []
    for i in range(args.users):
        on_max = share > 0 and int((i + 1) * share) > int(i * share)
        uid = first + i
        keys.append(max_key(uid + MAX_IDS) if on_max else uid)
    return keys


def phase_probes(phase: int) -> dict[Channel, tuple[int, int]]:
    after, through = PROBES[phase]
    return {
        Channel.TELEGRAM: (after, through),
        Channel.MAX: (max_key(after + MAX_IDS), max_key(through + MAX_IDS)),
    }


def name_of(uid: int) -> str:
    return f"Абонент {uid}"


def request_text(uid: int) -> str:
    return f"Кассир не видит кнопку возврата, касса {uid % 10_000}"


class Rig:
    """Everything of one run, started by ``up`` and stopped by ``down``."""

    def __init__(self, args: argparse.Namespace, cluster: Cluster, work: Path) -> None:
        self.args = args
        self.cluster = cluster
        self.work = work
        self.nginx_port = free_port()
        self.instances = [Instance(f"bot-{i}", free_port(), work / f"bot-{i}.log") for i in (1, 2)]
        self.nginx: asyncio.subprocess.Process | None = None
        self.engine = create_async_engine(cluster.url, poolclass=NullPool)
        self.pushes = PushFailures()
        self.env: dict[str, str] = {}

    async def up(self, handle: SandboxHandle) -> Watch:
        url = self.cluster.url
        faq = self.work / "faq"
        shutil.copytree(TEST_FAQ, faq)
        self.env = product_env(
            handle, url,
            SUPPORTDESK_KNOWLEDGE_PATH=str(faq),
            SUPPORTDESK_FAQ_EMBEDDINGS="off",  # the FAQ is not what is tried here
            SUPPORTDESK_FLOOD_LIMITS="true",
            SUPPORTDESK_WEBHOOK_URL=f"http://127.0.0.1:{self.nginx_port}",
            SUPPORTDESK_WEBHOOK_HOST="127.0.0.1",
            SUPPORTDESK_WEBHOOK_SECRET=WEBHOOK_SECRET,
            SUPPORTDESK_MAX_WEBHOOK_URL=f"http://127.0.0.1:{self.nginx_port}",
            SUPPORTDESK_MAX_WEBHOOK_SECRET=MAX_WEBHOOK_SECRET,
        )  # fmt: skip
        say("schema and the demo's config: supportdesk db upgrade; config apply")
        cli(self.env, "db", "upgrade")
        cli(self.env, "config", "apply", str(DEMO_CONFIG))

        control = handle.control
        for uid in STAFF:
            await control.create_user(uid, f"Консультант {uid}")
        for uid, name in PEOPLE.items():
            await control.create_user(uid, name)
        await control.create_chat(STAFF_CHAT, "Поддержка 1С", is_forum=True, members=STAFF)
        users = [u for phase in (0, 1) for u in phase_users(phase, self.args)]
        users += [key for pair in PROBES for uid in pair for key in (uid, max_key(uid + MAX_IDS))]
        on_max = sum(1 for u in users if channel_of(u) is Channel.MAX)
        say(f"{len(users)} users ({on_max} on MAX) in the sandbox and bound to «Демо»")
        for chunk in chunks(users, 200):
            await asyncio.gather(*(create_user(control, key) for key in chunk))
        await bind_users(url, {u: name_of(uid_of(u)) for u in users})
        watch = Watch(handle)
        for name in ("sandbox._updates", "sandbox.max.updates"):
            logger = logging.getLogger(name)
            logger.setLevel(logging.INFO)
            logger.addHandler(self.pushes)

        for instance in self.instances:
            await instance.start(self.env, self.work)
        say(f"instances bot-1 and bot-2 on ports {self.instances[0].port}, "
            f"{self.instances[1].port}")  # fmt: skip
        await self.start_nginx()
        if not handle.sandbox.state.webhook.url.startswith(self.env["SUPPORTDESK_WEBHOOK_URL"]):
            raise RuntimeError("the instances did not set the webhook")
        subscription = handle.sandbox.max.state.subscription
        if subscription is None or not subscription.url.startswith(
            self.env["SUPPORTDESK_MAX_WEBHOOK_URL"]
        ):
            raise RuntimeError("the instances did not subscribe MAX's webhook")
        say(f"webhooks: Telegram {handle.sandbox.state.webhook.url} "
            f"(max_connections {handle.sandbox.state.webhook.max_connections}), "
            f"MAX {subscription.url}")  # fmt: skip
        return watch

    async def start_nginx(self) -> None:
        conf_dir = self.work / "nginx"
        conf_dir.mkdir()
        servers = "\n".join(
            f"        server 127.0.0.1:{i.port} max_fails=1 fail_timeout=10s;"
            for i in self.instances
        )
        conf = conf_dir / "nginx.conf"
        conf.write_text(NGINX_CONF.format(dir=conf_dir, servers=servers, port=self.nginx_port))
        nginx = ensure_nginx()
        args = [nginx, "-p", str(conf_dir), "-c", str(conf), "-e", str(conf_dir / "error.log")]
        check = await asyncio.create_subprocess_exec(*args, "-t", "-q")
        if await check.wait() != 0:
            raise RuntimeError(f"nginx -t refused {conf}")
        self.nginx = await asyncio.create_subprocess_exec(*args)
        while not listening(self.nginx_port):
            if self.nginx.returncode is not None:
                raise RuntimeError("nginx did not start")
            await asyncio.sleep(0.1)
        say(f"nginx on port {self.nginx_port} -> the two instances")

    async def down(self) -> None:
        for instance in self.instances:
            with contextlib.suppress(Exception):
                await instance.stop()
        if self.nginx is not None and self.nginx.returncode is None:
            self.nginx.send_signal(signal.SIGQUIT)  # graceful shutdown
            try:
                await asyncio.wait_for(self.nginx.wait(), 10)
            except TimeoutError:
                self.nginx.kill()
                await self.nginx.wait()
        await self.engine.dispose()


def chunks(items: list[int], size: int) -> Iterator[list[int]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


async def create_user(control: SandboxControl, key: int) -> None:
    uid = uid_of(key)
    if channel_of(key) is Channel.MAX:
        await control.create_user(uid, name_of(uid), channel="max")
    else:
        await control.create_user(uid, name_of(uid))


async def write(handle: SandboxHandle, key: int) -> None:
    """The user of chat ``key`` writes their request, on Telegram or on MAX."""
    uid = uid_of(key)
    if channel_of(key) is Channel.MAX:
        await handle.control.send(uid, uid, request_text(uid), channel="max")
    else:
        await handle.control.send(uid, uid, request_text(uid))


async def burst(handle: SandboxHandle, users: list[int]) -> None:
    for chunk in chunks(users, 200):
        await asyncio.gather(*(write(handle, key) for key in chunk))


def queued(handle: SandboxHandle) -> int:
    """Pushes waiting in the sandbox (both messengers), in flight included."""
    return len(handle.sandbox.state.updates) + len(handle.sandbox.max.state.updates)


async def wait_for_confirmations(
    rig: Rig, handle: SandboxHandle, watch: Watch, phase: Phase
) -> None:
    """Until every user of ``phase`` and its probes are confirmed (or the deadline), with
    a progress line every few seconds."""
    everyone = [*phase.users, *phase.probe_keys()]
    deadline = time.monotonic() + rig.args.deadline
    next_line = 0.0
    while watch.confirmed_users(everyone) < len(everyone):
        now = time.monotonic()
        if now > deadline:
            phase.missed.append(f"not every user confirmed in {rig.args.deadline:.0f} s")
            return
        if not any(i.alive for i in rig.instances):
            phase.missed.append("every instance exited")
            return
        if now >= next_line:
            next_line = now + 5
            try:
                tickets = sum((await tickets_of(rig.engine, phase.users)).values())
                cards, pending, _ = await outbox_counts(rig.engine)
                db = f"tickets {tickets}, outbox pending {pending} (cards {cards})"
            except Exception as exc:  # the database restarting
                db = f"database: {type(exc).__name__}"
            alive = ", ".join(i.name for i in rig.instances if i.alive) or "none"
            say(f"  {now - phase.sent_at:6.1f} s  confirmed "
                f"{watch.confirmed_users(phase.users)}/{len(phase.users)}, "
                f"pushes queued {queued(handle)}, {db}; "
                f"alive: {alive}")  # fmt: skip
        await asyncio.sleep(0.2)
    phase.done_at = max(watch.confirmed[u][0] for u in everyone)


async def run_phase(
    rig: Rig,
    handle: SandboxHandle,
    watch: Watch,
    phase: Phase,
    chaos: Callable[[Phase], Awaitable[None]],
) -> None:
    say(f"\n== {phase.title}: {len(phase.users)} users at once; {phase.event} at half")
    middle = watch.when_confirmed(phase.users, len(phase.users) // 2)
    phase.sent_at = time.monotonic()
    sending = asyncio.create_task(burst(handle, phase.users))
    waiting = asyncio.create_task(wait_for_confirmations(rig, handle, watch, phase))
    await asyncio.wait_for(middle.wait(), rig.args.deadline)
    await chaos(phase)
    phase.ahead = queued(handle)
    phase.probe_at = time.monotonic()
    await asyncio.gather(*(write(handle, probe) for probe in phase.probe_keys()))
    phase.registered = set(await tickets_of(rig.engine, phase.users))
    await sending
    await waiting
    await asyncio.sleep(2.0)  # a second copy would come in the lease's 10 s: long over
    if not phase.missed:  # the same, with no backlog ahead
        quiet = {channel: through for channel, (_, through) in phase.probes.items()}
        confirmed = watch.when_confirmed(quiet.values(), len(quiet))
        sent = time.monotonic()
        await asyncio.gather(*(write(handle, key) for key in quiet.values()))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(confirmed.wait(), 60)
        for channel, key in quiet.items():
            times = watch.confirmed.get(key)
            phase.quiet_wait[channel] = times[0] - sent if times else None


async def kill_bot_1(rig: Rig, handle: SandboxHandle, watch: Watch, phase: Phase) -> None:
    victim = rig.instances[0]
    victim.kill()
    phase.event_at = phase.back_at = time.monotonic()
    await victim.wait()
    held = await held_lanes(rig.engine, victim.name)
    phase.orphans = {c for c in held if c in set(phase.users) and not watch.confirmed.get(c)}
    say(f"  kill -9 {victim.name} at {phase.event_at - phase.sent_at:.1f} s: it held "
        f"{len(held)} lanes, {len(phase.orphans)} of them with a confirmation to send")  # fmt: skip


async def restart_database(rig: Rig, phase: Phase) -> None:
    phase.event_at = time.monotonic()
    await rig.cluster.restart()
    phase.back_at = time.monotonic()
    say(f"  pg_ctlcluster restart at {phase.event_at - phase.sent_at:.1f} s: "
        f"took {phase.back_at - phase.event_at:.1f} s")  # fmt: skip


async def report(rig: Rig, watch: Watch, phase: Phase, after_kill: bool) -> None:
    queued_cards, _, failed = await outbox_counts(rig.engine)
    span = (phase.done_at or time.monotonic()) - phase.sent_at
    around = watch.confirmations_between(phase.sent_at, phase.back_at + 60)
    gap = max((b - a for a, b in itertools.pairwise(around)), default=0.0)
    when = "the kill" if after_kill else "the database was back"
    say(f"-- {phase.title}: {len(phase.users)} users, {phase.ahead} pushes queued "
        f"(both messengers) when the new requests were sent after {when}")  # fmt: skip
    say(f"  burst                 first request to last confirmation {span:.1f} s; "
        f"longest pause between confirmations {gap:.1f} s")  # fmt: skip
    say(f"  cards in staff group  {queued_cards} queued in the outbox "
        f"(20 a minute into one group); outbox rows failed: {failed}")  # fmt: skip
    if phase.orphans:
        resumed = [watch.confirmed[c][0] - phase.event_at for c in phase.orphans
                   if watch.confirmed.get(c)]  # fmt: skip
        say(f"  its lanes moved       {len(resumed)}/{len(phase.orphans)} confirmations the "
            f"dead instance held went out, the last {fmt(max(resumed, default=None))} "
            "after the kill (lease 10 s)")  # fmt: skip
    for channel in CHANNELS:
        users = [u for u in phase.users if channel_of(u) is channel]
        if users:
            await channel_report(rig, watch, phase, channel, users, when, after_kill)


async def channel_report(
    rig: Rig,
    watch: Watch,
    phase: Phase,
    channel: Channel,
    users: list[int],
    when: str,
    after_kill: bool,
) -> None:
    """The figures of one messenger's users in a phase."""
    tickets = await tickets_of(rig.engine, users)
    lost = sum(1 for u in users if not tickets[u])
    doubled = sum(n - 1 for n in tickets.values() if n > 1)
    confirmations = sum(len(watch.confirmed.get(u, [])) for u in users)
    confirmed = watch.confirmed_users(users)
    cards = sum(len(watch.cards.get(u, [])) for u in users)
    card_users = sum(1 for u in users if watch.cards.get(u))
    # recovered: the first request registered after the event is confirmed (a
    # confirmation already on its way when it struck says nothing)
    later = [u for u in users if u not in phase.registered and watch.confirmed.get(u)]
    new = [watch.confirmed[u][0] for u in later]
    first = min(new) - phase.back_at if new else None
    probe, _ = phase.probes[channel]
    probe_times = watch.confirmed.get(probe)
    probe_wait = probe_times[0] - phase.probe_at if probe_times else None
    registered = sum(1 for u in users if u in phase.registered)

    name = channel.label
    say(f"  {name}:")
    say(f"    requests sent         {len(users)} (+1 new request right after the {phase.event})")
    say(f"    tickets registered    {sum(tickets.values())} for {len(users)} users: "
        f"{lost} lost, {doubled} duplicated")  # fmt: skip
    say(f"    confirmations         {confirmed}/{len(users)} users, {confirmations} sent: "
        f"{confirmations - confirmed} duplicates (at-least-once window)")  # fmt: skip
    say(f"    cards in staff group  {cards} delivered for {card_users} tickets "
        f"({cards - card_users} duplicates)")  # fmt: skip
    say(f"    recovered             the first request registered after it confirmed "
        f"{fmt(first)} after {when} ({registered} were registered before)")  # fmt: skip
    verdict = "met" if probe_wait is not None and probe_wait <= FAILOVER_TARGET else "MISSED"
    say(f"    NEW REQUEST MID-BURST confirmed {fmt(probe_wait)} after it was sent after {when} "
        f"(target {FAILOVER_TARGET:.0f} s: {verdict})")  # fmt: skip
    still = " (bot-1 still dead)" if after_kill else ""
    say(f"    one after the burst   confirmed {fmt(phase.quiet_wait.get(channel))} after it "
        f"was sent{still}")  # fmt: skip
    if lost or doubled:
        phase.missed.append(f"{name}: {lost} lost and {doubled} duplicated tickets")
    if verdict != "met":
        phase.missed.append(f"{name}: the new request mid-burst waited {fmt(probe_wait)}")


def fmt(seconds: float | None) -> str:
    return "never" if seconds is None else f"{seconds:.1f} s"


async def chaos_run(args: argparse.Namespace, cluster: Cluster, work: Path) -> int:
    rig = Rig(args, cluster, work)
    async with running_sandbox(work / "sandbox", flood_limits=True) as handle:
        try:
            watch = await rig.up(handle)
            one = Phase("phase 1", "kill -9 of bot-1", phase_users(0, args), phase_probes(0))

            async def kill(phase: Phase) -> None:
                await kill_bot_1(rig, handle, watch, phase)

            await run_phase(rig, handle, watch, one, kill)
            await report(rig, watch, one, after_kill=True)

            say("\nbot-1 started again (a supervisor's restart)")
            await rig.instances[0].start(rig.env, work)
            two = Phase("phase 2", "PostgreSQL restart", phase_users(1, args), phase_probes(1))

            async def restart(phase: Phase) -> None:
                await restart_database(rig, phase)

            await run_phase(rig, handle, watch, two, restart)
            await report(rig, watch, two, after_kill=False)
            return await closing_figures(rig, handle, [one, two])
        except BaseException:
            for instance in rig.instances:
                say(f"--- the tail of {instance.name}'s log:\n{instance.tail()}")
            raise
        finally:
            await rig.down()


async def closing_figures(rig: Rig, handle: SandboxHandle, phases: list[Phase]) -> int:
    say("\n-- the whole run")
    for instance in rig.instances:
        state = "running" if instance.alive else f"exited ({instance.exit_code})"
        errors = instance.errors()
        say(f"  {instance.name}: {state}, started {instance.starts}x, "
            f"{len(errors)} error lines in its log")  # fmt: skip
        for line in errors[:5]:
            say(f"      {line[:160]}")
    pushes = sum(rig.pushes.reasons.values())
    say(f"  pushes not taken      {pushes} (retried by the sandbox): "
        f"{dict(rig.pushes.reasons.most_common(3))}")  # fmt: skip
    say(f"  429s from the sandbox {handle.sandbox.flood.refused_total} "
        f"{dict(handle.sandbox.flood.refused)}")  # fmt: skip
    audit = cli(rig.env, "audit", "verify").splitlines()
    say(f"  supportdesk audit verify: {audit[-1] if audit else '(nothing said)'}")
    missed = [f"{p.title}: {m}" for p in phases for m in p.missed]
    say("  targets: " + ("all met" if not missed else "MISSED: " + "; ".join(missed)))
    return 1 if missed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench_chaos", description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=1000, help="users a burst (1000)")
    parser.add_argument(
        "--max-share", type=float, default=0.2, help="the share of them on MAX (0.2)"
    )
    parser.add_argument("--pg-port", type=int, default=55433, help="the chaos cluster's port")
    parser.add_argument("--pg-version", default="", help="PostgreSQL major (the newest)")
    parser.add_argument("--deadline", type=float, default=900.0, help="seconds a phase may take")
    parser.add_argument("--keep-logs", type=Path, help="copy the instances' logs here")
    args = parser.parse_args(argv or [])
    if os.geteuid() != 0:
        say("the chaos run installs nginx and makes a PostgreSQL cluster: run it as root")
        return 2
    ensure_nginx()
    cluster = Cluster(args.pg_version or Cluster.newest_version(), args.pg_port)
    work = Path(tempfile.mkdtemp(prefix="supportdesk-chaos-"))
    work.chmod(0o755)  # nginx's workers (nobody) read below it
    started = time.monotonic()
    try:
        cluster.create()
        return asyncio.run(_guarded(chaos_run(args, cluster, work)))
    finally:
        if args.keep_logs is not None:
            args.keep_logs.mkdir(parents=True, exist_ok=True)
            for log in work.glob("*.log"):
                shutil.copy(log, args.keep_logs / log.name)
        if cluster.created:
            cluster.drop()
            say(f"cluster {cluster.version}/{CLUSTER} dropped")
        shutil.rmtree(work, ignore_errors=True)
        say(f"chaos run over in {time.monotonic() - started:.0f} s")


async def _guarded(run: Awaitable[int]) -> int:
    """``run``, cancelled (and so cleaned up) on SIGTERM as on Ctrl-C."""
    task = asyncio.ensure_future(run)
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    return await task


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
