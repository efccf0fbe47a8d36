"""The fuzz world: the real product fed generated updates, and a checker of what it left.

Shared by ``bench/bench_fuzz.py`` (10,000+ updates) and ``tests/e2e/test_fuzz_updates.py``
(a few hundred). Everything is the product's own but the people: the product is
composed as ``tests/e2e/conftest.py`` does (``bot.compose``), on a real database (a
SQLite file, or PostgreSQL given its URL), with its outbox sender and background jobs
running against the sandbox (offline Telegram and MAX, in this process); updates are
not polled but handed to the dispatcher as polling would hand them
(``UpdateReader.read`` then ``bot.polling.handle_batch``; MAX's through
``MaxPoller.read``), so each can be shaped as Telegram or MAX could send it, or worse.

People (the demo config plus a second team «north» with its own client NORD, and a
manager for URAL):

    DEMO  users 1001 1002, manager 1003, approver 1005 (all on Telegram), 1006 on MAX
    URAL  users 1101 1102, manager 1203, 1106 on MAX
    NORD  user 1301 (team north)
    staff 2001 2002 (team demo, line 1), 2003 (line 2), 2101 (team north)
    strangers 3001 3002 3003, any random id, MAX strangers

Steps (``Step``) are plain data drawn by hypothesis (``steps()``); the world reads each
against what exists now (``pick`` numbers choose among the tickets, topics, messages,
buttons there are) and feeds it. After the run ``check`` reads the database:
``Findings`` lists every inconsistency and every message to a chat that should not
have had it.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import re
import secrets
import shutil
import time
import traceback
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hypothesis import strategies as st
from pydantic import SecretStr
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from bot.channels.max_poller import MaxPoller
from bot.compose import App, compose
from bot.jobs.housekeeping import run_jobs
from bot.jobs.incidents import run_incident_jobs
from bot.jobs.sla import run_sla_jobs
from bot.outbox.ratelimit import UNLIMITED
from bot.polling import handle_batch
from bot.services.config import apply_config
from bot.services.pairing import BotNames
from bot.settings import Settings
from desk.alerts import is_system_user
from desk.channels import MAX_BASE, MAX_USER_ID_LIMIT, max_key
from desk.config import parse_config
from knowledge.base import KnowledgeBase
from sandbox.max.conversation import keyboard_of
from sandbox.max.model import MaxCallback
from sandbox.model import CallbackRecord, Chat
from sandbox.serialize import chat_dict, user_dict
from sandbox.server import SandboxHandle, running_sandbox
from storage.database import Database
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.tables import (
    AuditEventRow,
    ClientManagerRow,
    ClientRow,
    MessageLinkRow,
    OutboxRow,
    ReportFileRow,
    StaffRow,
    TeamRow,
    TicketRow,
    TicketTopicRow,
    UserAddressRow,
    UserRow,
)
from storage.tables.catalogue import ApprovalRow, ApprovalVoteRow, ClientPeopleRow, FormDraftRow
from storage.tables.incidents import IncidentReportRow, MassIncidentRow

ROOT = Path(__file__).resolve().parents[1]
DEMO_CONFIG = ROOT / "bot" / "demo_config.toml"
TEST_FAQ = ROOT / "tests" / "e2e" / "faq"

STAFF_CHAT = -1001000000001  # team demo (DEMO, URAL)
NORTH_CHAT = -1001000000002  # team north (NORD)
FOREIGN_GROUP = -1001000000099  # a group the bot is in that is no team's
GROUPS = (STAFF_CHAT, NORTH_CHAT, FOREIGN_GROUP)

DEMO_USERS = (1001, 1002)
DEMO_MANAGER = 1003
APPROVER = 1005
URAL_USERS = (1101, 1102)
URAL_MANAGER = 1203
NORD_USER = 1301
TEAM_X = (2001, 2002)
LINE2 = 2003
TEAM_Y = 2101
STRANGERS = (3001, 3002, 3003)
MAX_DEMO = 1006  # MAX user ids
MAX_URAL = 1106
MAX_STRANGER = 1199

WEB_BASE_URL = "http://desk.test"
WEB_SECRET = "the-fuzz-world-link-secret"
URAL_ALERT_KEY = "ural-alerts-key"
DEMO_ALERT_KEY = "demo-alerts-key"

NAMES = {
    1001: "Иван", 1002: "Ольга", 1003: "Светлана", 1005: "Алексей", 1101: "Пётр",
    1102: "Мария", 1203: "Григорий", 1301: "Нина", 2001: "Анна", 2002: "Борис",
    2003: "Дмитрий", 2101: "Юрий", 3001: "Пётр", 3002: "Зоя", 3003: "Кирилл",
}  # fmt: skip
TELEGRAM_PEOPLE = tuple(NAMES)
INVITES = {
    **dict.fromkeys((*DEMO_USERS, DEMO_MANAGER, APPROVER), "demo"),
    **dict.fromkeys((*URAL_USERS, URAL_MANAGER), "ural"),
    NORD_USER: "nord",
}
MAX_INVITES = {MAX_DEMO: "demo", MAX_URAL: "ural"}

_EXTRA = """
[teams.north]
chat_id = -1001000000002
lead = 2101
duty = 2101

[[clients]]
code = "NORD"
name = "Норд"
contract = "ural"
team = "north"

[[staff]]
telegram_id = 2101
name = "Юрий Ковалёв"
username = "yuri"
team = "north"
line = 1
shift = "always"

[[invites]]
code = "nord"
client = "NORD"
"""


def config_text() -> str:
    """The demo config, URAL with a manager and an alert key, and a second team."""
    text = DEMO_CONFIG.read_text(encoding="utf-8")
    ural = 'code = "URAL"\nname = "Урал-Снаб"\n'
    assert ural in text, "the demo config's URAL entry changed: update bench/fuzz.py"
    digest = hashlib.sha256(URAL_ALERT_KEY.encode()).hexdigest()
    extra = (
        f"managers = [{URAL_MANAGER}]\n"
        f'alert_keys = [{{ name = "ural", key_sha256 = "{digest}" }}]\n'
    )
    return text.replace(ural, ural + extra) + _EXTRA


async def migrated_sqlite(path: Path) -> str:
    """A new SQLite database at the latest migration."""
    path.parent.mkdir(parents=True, exist_ok=True)
    url = f"sqlite+aiosqlite:///{path}"
    engine = create_engine(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()
    return url


# -- what the world does: steps ---------------------------------------------------------


@dataclass(frozen=True)
class Private:
    """A person writes to the bot in their private chat (Telegram)."""

    who: int
    content: dict[str, Any]
    reply: int | None = None  # pick among the chat's messages (None: no reply)


@dataclass(frozen=True)
class Group:
    """Someone writes in a group: ``where`` a ticket's topic, the general chat, a thread
    no ticket has, or a reply to a message there."""

    who: int
    group: int
    where: str  # topic | general | unknown | reply, or thread | reply_to (``pick`` names it)
    pick: int
    content: dict[str, Any]


@dataclass(frozen=True)
class Press:
    """A button press: ``data`` as given (forged), or (``data`` None) a real button of
    a recent bot message in that chat; ``message`` ``real``, ``gone`` (inaccessible)
    or ``none`` (an inline message)."""

    who: int
    chat: int  # the presser's private chat (0) or a group
    data: str | None
    pick: int
    message: str = "real"


@dataclass(frozen=True)
class Edit:
    """A message fed earlier is edited."""

    pick: int
    text: str


@dataclass(frozen=True)
class Member:
    """Members: someone leaves or joins a group; a user blocks or unblocks the bot."""

    kind: str  # left | joined | blocked | unblocked | bot_left
    who: int
    group: int


@dataclass(frozen=True)
class TopicGone:
    """A ticket's topic closed (or deleted) under the bot."""

    pick: int
    deleted: bool


@dataclass(frozen=True)
class Raw:
    """An update as raw JSON, readable or not."""

    body: Any


@dataclass(frozen=True)
class Again:
    """An update fed before comes again (a re-delivery)."""

    pick: int


@dataclass(frozen=True)
class Burst:
    """Several private messages at once (one batch, lanes side by side)."""

    items: tuple[Private, ...]


@dataclass(frozen=True)
class Max:
    """A MAX update: ``message_created``, ``message_callback`` (``payload`` forged or,
    None, a real button), ``bot_started``, a group chat's message, or anything else."""

    kind: str
    who: int
    text: str = ""
    payload: str | None = ""
    attachment: str | None = None
    broken: str | None = None  # a field to spoil


Step = Private | Group | Press | Edit | Member | TopicGone | Raw | Again | Burst | Max


# -- strategies ----------------------------------------------------------------------------

ODD = (
    "\u200f",  # right-to-left mark
    "\u200e",
    "\u202e",  # right-to-left override
    "\u2066",
    "\u200b",  # zero width space
    "\u200d",
    "\ufeff",
    "\u0301",  # a combining accent alone
    "\U0001f525",
    "\U0001f468\u200d\U0001f469\u200d\U0001f467",
    "\x00",
    "\x1b[31m",
    "\r\n",
    "\t",
    "<b>",
    "</i>",
    "&amp;",
    "<a href='javascript:alert(1)'>x</a>",
    "{{ 7*7 }}",
    "{% raw %}",
    "@anna",
    "DEMO-1",
    "URAL-1",
    "NORD-1",
)
UNSTORABLE = ("\ud800", "\udfff", "\udc00x\ud83d", "\x00")  # lone surrogates, NUL
REQUESTS = (
    "Не проводится реализация, ошибка при записи документа",
    "Не могу зайти в базу пишет база заблокирована",
    "Принтер в бухгалтерии печатает пустые листы",
    "Заведите пользователя Петрову в БП",
    "Срочно! Встала отгрузка, не работает 1С у всех",
    "Добавьте контрагента ООО Ромашка",
    "спасибо",
    "ок",
    "Не закрывается месяц, ошибка при расчете себестоимости",
)
PRIVATE_COMMANDS = (
    "/start", "/help", "/my", "/new", "/tickets", "/revoke", "/connect", "/cancel",
    "/foo", "/", "/start@supportdesk_bot", "/my@other_bot", "/START", "/new@",
)  # fmt: skip
STAFF_COMMANDS = (
    "/take", "/assign", "/priority", "/escalate", "/wait", "/route", "/resolve", "/close",
    "/reopen", "/history", "/note", "/pass", "/faq", "/help", "/report", "/design",
    "/invite", "/mass", "/link", "/unlink", "/foo", "/take@supportdesk_bot", "/take@other",
)  # fmt: skip
ARGS = (
    "", "1", "2", "5", "0", "9", "-1", "DEMO", "URAL", "NORD", "all", "DEMO URAL: всё упало",
    "all: не работает", "DEMO-1", "URAL-1", "NORD-1", "DEMO-2 URAL-2", "1, 2, 3", "@anna",
    "@boris", "@yuri", "Анна", "Дмитрий", "2025-13", "2026-W99", "xlsx", "html DEMO 2026-01",
    "99999999999999999999999", "DEMO-99999999999999", "demo", "ural", "nord", "p" + "x" * 16,
)  # fmt: skip
START_ARGS = ("demo", "ural", "nord", "DEMO", "bad", "", "x" * 70, "p0000", "demo ural")
MEDIA = ("photo", "document", "video", "voice", "audio", "animation", "video_note")
UNSUPPORTED = ("sticker", "location", "contact", "poll", "dice", "venue", "game")
SERVICE = (
    "forum_topic_closed", "forum_topic_reopened", "forum_topic_edited", "pinned_message",
    "new_chat_title", "delete_chat_photo", "left_chat_member", "new_chat_members",
)  # fmt: skip
TYPE_CODES = ("access", "master_data", "enhancement", "incident", "consultation", "x", "A")

BIG = 2**63


def ids() -> st.SearchStrategy[int]:
    """Ids a forged button names: mostly small (real rows), sometimes out of range."""
    return st.one_of(
        st.integers(1, 40),
        st.integers(1, 40),
        st.sampled_from([0, -1, 2**31, BIG - 1, BIG, 10**30]),
        st.integers(),
    )


def odd_text(*, max_size: int = 60) -> st.SearchStrategy[str]:
    """Text: Russian requests, any Unicode, odd marks, lone surrogates, huge, empty."""
    pieces = st.one_of(st.sampled_from(REQUESTS), st.sampled_from(ODD), st.text(max_size=12))
    return st.one_of(
        st.sampled_from(REQUESTS),
        st.text(max_size=max_size),
        st.lists(pieces, min_size=1, max_size=5).map("".join),
        st.builds(
            lambda base, mark, at: base[:at] + mark + base[at:],
            st.sampled_from(REQUESTS),
            st.sampled_from(UNSTORABLE),
            st.integers(0, 40),
        ),
        st.integers(4090, 4100).map(lambda n: ("Не работает 1С. " * 300)[:n]),
        st.sampled_from(["", " ", "\u200b", "\n\n", "ё" * 70000]),
    )


def command(names: Iterable[str], args: Iterable[str]) -> st.SearchStrategy[str]:
    return st.builds(
        lambda name, arg, junk: f"{name} {arg}{junk}".rstrip() if arg or junk else name,
        st.sampled_from(tuple(names)),
        st.sampled_from(tuple(args)),
        st.one_of(st.just(""), st.sampled_from(ODD), st.text(max_size=8)),
    )


def content(*, staff: bool = False) -> st.SearchStrategy[dict[str, Any]]:
    """What a message carries: text, a command, media with or without a caption, a
    kind the bot does not take, a service message."""
    names, args = (STAFF_COMMANDS, ARGS) if staff else (PRIVATE_COMMANDS, START_ARGS + ARGS)
    file_id = st.text(alphabet="AbC0_-", min_size=1, max_size=20)
    media = st.builds(
        lambda kind, fid, caption, name, group: {
            kind: [{"file_id": fid, "file_unique_id": fid, "width": 1, "height": 1}]
            if kind == "photo"
            else {
                "file_id": fid,
                "file_unique_id": fid,
                **({"file_name": name} if kind == "document" else {}),
                **({"duration": 1} if kind in ("video", "voice", "audio", "video_note") else {}),
                **({"width": 1, "height": 1} if kind in ("video", "animation") else {}),
                **({"length": 1} if kind == "video_note" else {}),
            },
            **({"caption": caption} if caption else {}),
            **({"media_group_id": group} if group else {}),
        },
        st.sampled_from(MEDIA),
        file_id,
        st.one_of(st.just(""), odd_text(max_size=30), command(names, args)),
        st.one_of(st.just("акт.pdf"), odd_text(max_size=20)),
        st.one_of(st.just(""), st.sampled_from(["g1", "g2"])),
    )
    return st.one_of(
        odd_text().map(lambda t: {"text": t}),
        odd_text().map(lambda t: {"text": t}),
        command(names, args).map(lambda t: {"text": t}),
        command(names, args).map(lambda t: {"text": t}),
        media,
        st.sampled_from(UNSUPPORTED).map(_unsupported),
        st.sampled_from(SERVICE).map(_service),
        st.just({}),  # nothing Telegram names
    )


def _unsupported(kind: str) -> dict[str, Any]:
    bodies: dict[str, Any] = {
        "sticker": {
            "file_id": "st1", "file_unique_id": "st1", "type": "regular", "width": 1,
            "height": 1, "is_animated": False, "is_video": False,
        },
        "location": {"latitude": 55.75, "longitude": 37.61},
        "contact": {"phone_number": "+70000000000", "first_name": "Кто-то"},
        "poll": {
            "id": "p1", "question": "?", "options": [{"text": "a", "voter_count": 0}],
            "total_voter_count": 0, "is_closed": False, "is_anonymous": True,
            "type": "regular", "allows_multiple_answers": False,
        },
        "dice": {"emoji": "🎲", "value": 3},
        "venue": {
            "location": {"latitude": 1.0, "longitude": 2.0}, "title": "т", "address": "а",
        },
        "game": {"title": "g", "description": "d", "photo": []},
    }  # fmt: skip
    return {kind: bodies[kind]}


def _service(kind: str) -> dict[str, Any]:
    bodies: dict[str, Any] = {
        "forum_topic_closed": {},
        "forum_topic_reopened": {},
        "forum_topic_edited": {"name": "DEMO-1 ✅"},
        "pinned_message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}},
        "new_chat_title": "Поддержка",
        "delete_chat_photo": True,
        "left_chat_member": {"id": 2001, "is_bot": False, "first_name": "Анна"},
        "new_chat_members": [{"id": 3001, "is_bot": False, "first_name": "Пётр"}],
    }
    return {kind: bodies[kind]}


def callback_data() -> st.SearchStrategy[str]:
    """Forged callback data of every family in ``bot/callbacks.py``, and garbage."""
    small = st.one_of(st.integers(0, 12), st.sampled_from([-1, 99, 100, 10**9]))
    word = st.one_of(st.text(alphabet="abcxyz:_", max_size=8), st.sampled_from(ODD))
    prios = st.sampled_from(["", "1", "2", "3", "4", "5", "0", "6", "x"])
    cats = st.sampled_from(["access", "incident", "consultation", "master_data", "nope"])
    user_actions = ["view", "prio", "cat", "setp", "setc", "ok", "reopen", "rate", "skip", "x"]
    staff_actions = [
        "take", "prio", "setp", "esc", "wait", "route", "to", "resolve", "back", "reopen",
        "mass", "merge", "x",
    ]  # fmt: skip
    return st.one_of(
        st.builds(
            "f:{}:{}:{}".format, ids(), st.sampled_from(["open", "helped", "not", "x"]), small
        ),
        st.builds("w:{}:{}".format, ids(), st.one_of(st.just(0), ids())),
        st.builds(
            "u:{}:{}:{}".format,
            ids(),
            st.sampled_from(user_actions),
            st.one_of(prios, cats, st.sampled_from(["1", "5", "6"]), word),
        ),
        st.builds(
            "s:{}:{}:{}".format,
            ids(),
            st.sampled_from(staff_actions),
            st.one_of(prios, st.sampled_from(["0", "1", "2", "9", "999", "1000", "-1"]), word),
        ),
        st.builds("i:{}:{}".format, ids(), st.sampled_from(["other", "more", "again", "x"])),
        st.builds("m:{}".format, ids()),
        st.builds("q:{}:{}:{}".format, ids(), small, small),
        st.builds(
            "r:{}:{}".format,
            st.sampled_from(["go", "stay", "x"]),
            st.sampled_from(["DEMO", "URAL", "NORD", "demo", "ZZZ", "", "D" * 20]),
        ),
        st.builds("n:{}".format, st.one_of(st.sampled_from(TYPE_CODES), word)),
        st.builds(
            "c:{}:{}:{}:{}".format,
            ids(),
            small,
            st.sampled_from(["fill", "asis", "pick", "skip", "back", "cancel", "send", "x"]),
            small,
        ),
        st.builds("a:{}:{}".format, ids(), st.sampled_from(["ok", "no", "keep", "x"])),
        st.text(max_size=70),
        st.sampled_from(["", ":", "u", "u:", "s::", "x" * 65, "u:1:view:" + "9" * 60]),
    )


PEOPLE = st.one_of(
    st.sampled_from(TELEGRAM_PEOPLE),
    st.sampled_from(TELEGRAM_PEOPLE),
    st.sampled_from((*DEMO_USERS, *URAL_USERS, NORD_USER, DEMO_MANAGER, APPROVER)),
    st.sampled_from((*DEMO_USERS, *URAL_USERS, NORD_USER, DEMO_MANAGER, APPROVER)),
    st.integers(10**6, 2**52 - 1),  # someone the bot never saw
)
GROUP_PEOPLE = st.one_of(
    st.sampled_from((*TEAM_X, LINE2, TEAM_Y)),
    st.sampled_from((*TEAM_X, LINE2, TEAM_Y)),
    st.sampled_from(TELEGRAM_PEOPLE),
    st.integers(10**6, 2**52 - 1),
    st.just(-1),  # a bot (``is_bot``) writing in the group
)
PICK = st.integers(0, 2**16)


def private_step() -> st.SearchStrategy[Private]:
    return st.builds(Private, PEOPLE, content(), st.one_of(st.none(), PICK))


def group_step() -> st.SearchStrategy[Group]:
    return st.builds(
        Group,
        GROUP_PEOPLE,
        st.sampled_from(GROUPS),
        st.sampled_from(["topic", "topic", "topic", "general", "unknown", "reply"]),
        PICK,
        content(staff=True),
    )


def press_step() -> st.SearchStrategy[Press]:
    return st.one_of(
        st.builds(
            Press,
            PEOPLE,
            st.just(0),
            st.one_of(st.none(), st.none(), st.none(), callback_data()),
            PICK,
            st.sampled_from(["real", "real", "real", "gone", "none"]),
        ),
        st.builds(
            Press,
            GROUP_PEOPLE.filter(lambda who: who > 0),
            st.sampled_from(GROUPS),
            st.one_of(st.none(), st.none(), callback_data()),
            PICK,
            st.sampled_from(["real", "real", "gone"]),
        ),
    )


def raw_step() -> st.SearchStrategy[Raw]:
    json_leaf = st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8)
    )
    junk = st.recursive(
        json_leaf,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)
        ),
        max_leaves=8,
    )
    broken = st.sampled_from(
        [
            {"update_id": 1},
            {"message": {"text": "x"}},
            {"update_id": "7", "message": {}},
            {"update_id": 5, "message": {"message_id": 1, "date": 0, "chat": {"id": 1}}},
            {"update_id": 6, "callback_query": {"id": "1", "from": {"id": 1}}},
            {"update_id": 8, "poll": {"id": "p"}},
            {"update_id": 9, "inline_query": {"id": "q", "query": "x", "offset": ""}},
            {"update_id": 10, "brand_new_kind": {"x": 1}},
            [],
            "update",
            None,
        ]
    )
    return st.builds(Raw, st.one_of(broken, junk))


def max_step() -> st.SearchStrategy[Max]:
    who = st.one_of(
        st.sampled_from((MAX_DEMO, MAX_URAL, MAX_STRANGER)),
        st.sampled_from((MAX_DEMO, MAX_URAL)),
        st.integers(1, 2**40),
        st.sampled_from([0, -5, 2**53, MAX_USER_ID_LIMIT - 1, MAX_USER_ID_LIMIT, 2**63]),
    )
    return st.builds(
        Max,
        st.sampled_from(
            ["message_created"] * 4 + ["message_callback"] * 3 + ["bot_started", "chat", "other"]
        ),
        who,
        st.one_of(odd_text(), command(PRIVATE_COMMANDS, START_ARGS)),
        st.one_of(st.none(), st.none(), callback_data(), st.sampled_from(START_ARGS)),
        st.one_of(st.none(), st.none(), st.sampled_from(["image", "file", "video", "sticker"])),
        st.one_of(
            *[st.none()] * 6,
            st.sampled_from(["timestamp", "sender", "body", "seq", "callback_id", "user"]),
        ),
    )


def steps() -> st.SearchStrategy[Step]:
    """One step of any kind, weighted towards what people do most."""
    return st.one_of(
        private_step(),
        private_step(),
        private_step(),
        group_step(),
        group_step(),
        group_step(),
        press_step(),
        press_step(),
        press_step(),
        press_step(),
        st.builds(Edit, PICK, odd_text(max_size=30)),
        st.builds(
            Member,
            st.sampled_from(["left", "joined", "blocked", "unblocked", "bot_left"]),
            PEOPLE,
            st.sampled_from(GROUPS),
        ),
        st.builds(TopicGone, PICK, st.booleans()),
        raw_step(),
        st.builds(Again, PICK),
        st.builds(Burst, st.lists(private_step(), min_size=2, max_size=6).map(tuple)),
        max_step(),
        max_step(),
    )


# -- the world ---------------------------------------------------------------------------


class LogTally(logging.Handler):
    """What the product logged while fed: errors (an exception nobody answered),
    refusals the error router answered, stale presses, warnings by logger."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.errors: list[str] = []
        self.traces: dict[str, str] = {}  # the first traceback of each kind of error
        self.refused = 0
        self.stale = 0
        self.warnings: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR:
            text = record.getMessage()
            if record.exc_info and record.exc_info[1] is not None:
                exc = record.exc_info[1]
                text += f" -- {type(exc).__name__}: {str(exc)[:300]}"
                frames = traceback.extract_tb(exc.__traceback__)
                where = f"{type(exc).__name__} at {frames[-1].filename}:{frames[-1].lineno}"
                if where not in self.traces:
                    self.traces[where] = "".join(traceback.format_exception(exc))[-3000:]
            self.errors.append(ascii(f"{record.name}: {text}")[1:-1])
        elif record.levelno >= logging.WARNING:
            self.warnings[record.name] += 1
        elif record.name == "bot.handlers.errors" and record.getMessage().startswith("refused"):
            self.refused += 1
        elif record.name == "bot.handlers.stale":
            self.stale += 1


@dataclass
class Figures:
    fed: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def updates(self) -> int:
        return sum(self.fed.values())


@dataclass
class Sent:
    """One update handed to the product, kept for re-deliveries and edits."""

    channel: str  # telegram | max
    raw: Any


class World:
    """The product on a database, the sandbox, and what was fed so far."""

    def __init__(self, handle: SandboxHandle, app: App, max_poller: MaxPoller) -> None:
        self.handle = handle
        self.app = app
        self.max_poller = max_poller
        self.tally = LogTally()
        self.figures = Figures()
        self._update_id = 0
        self._stamp = 1_765_000_000_000
        self.sent: list[Sent] = []
        self.messages: list[dict[str, Any]] = []  # people's messages fed (for edits)
        self.spoke: dict[int, list[str]] = defaultdict(list)  # chat -> texts it sent
        self.updates_from: Counter[int] = Counter()  # chat -> updates it sent
        self._max_seq: Counter[int] = Counter()

    # -- building --------------------------------------------------------------------------

    @classmethod
    @contextlib.asynccontextmanager
    async def running(cls, data_dir: Path, database_url: str | None = None) -> AsyncIterator[World]:
        """The world until the block ends: a fresh sandbox, the database (a new SQLite file
        unless ``database_url`` names a migrated, empty one), the config applied, the
        product composed with its sender and jobs running."""
        faq = data_dir / "faq"
        shutil.copytree(TEST_FAQ, faq)
        url = database_url or await migrated_sqlite(data_dir / "db" / "fuzz.sqlite3")
        async with running_sandbox(data_dir / "sandbox", flood_limits=False) as handle:
            database = await Database.open(url)
            try:
                async with database.uow() as uow:
                    await apply_config(
                        uow, parse_config(config_text()), source="fuzz", now=datetime.now(UTC)
                    )
                settings = Settings(
                    bot_token=SecretStr(handle.token),
                    telegram_api_url=handle.url,
                    database_url=url,
                    knowledge_path=faq,
                    autoclose_minutes=60,
                    max_token=SecretStr(handle.max_token),
                    max_api_url=handle.max_url,
                    flood_limits=False,
                    web_base_url=WEB_BASE_URL,  # /tickets gives page links (served by no one
                    web_secret=SecretStr(WEB_SECRET),  # here: a test serves bot.web itself)
                    web_in_bot=False,
                )
                app = await compose(settings, db=database, kb=KnowledgeBase(faq), limits=UNLIMITED)
                assert app.max is not None
                poller = MaxPoller(
                    app.dispatcher, app.max.bot, app.max.client, database.uow, app.max.reader,
                    app.now,
                )  # fmt: skip
                world = cls(handle, app, poller)
                async with world._live():
                    yield world
            finally:
                await database.close()

    @contextlib.asynccontextmanager
    async def _live(self) -> AsyncIterator[None]:
        app = self.app
        assert app.max is not None
        self._seed_sandbox()
        me = await app.bot.get_me()
        max_me = await app.max.client.get_me()
        app.dispatcher["bot_names"] = BotNames(me.username, max_me.username)
        root = logging.getLogger()
        root.addHandler(self.tally)
        levels = {name: logging.getLogger(name).level for name in ("bot", "aiogram", "sandbox")}
        logging.getLogger("bot").setLevel(logging.INFO)
        logging.getLogger("aiogram").setLevel(logging.WARNING)
        stop = asyncio.Event()
        tasks = [
            asyncio.create_task(app.sender.run(stop), name="outbox"),
            asyncio.create_task(run_jobs(app, stop), name="jobs"),
            asyncio.create_task(run_sla_jobs(app, stop), name="sla-jobs"),
            asyncio.create_task(run_incident_jobs(app, stop), name="incident-jobs"),
        ]
        try:
            yield
        finally:
            stop.set()
            await asyncio.gather(*tasks, return_exceptions=True)
            root.removeHandler(self.tally)
            for name, level in levels.items():
                logging.getLogger(name).setLevel(level)
            await app.bot.session.close()
            await app.max.bot.session.close()

    def _seed_sandbox(self) -> None:
        sb = self.handle.sandbox
        for person, name in NAMES.items():
            sb.ensure_user(person, name, username=f"u{person}", started=True)
        staff = {2001: "administrator", 2002: "member", 2003: "member"}
        sb.ensure_chat(STAFF_CHAT, "Поддержка 1С — линия 1", is_forum=True, members=staff)
        sb.ensure_chat(NORTH_CHAT, "Норд — поддержка", is_forum=True, members={TEAM_Y: "member"})
        sb.ensure_chat(FOREIGN_GROUP, "Курилка", members={3001: "member"})
        for person in (MAX_DEMO, MAX_URAL, MAX_STRANGER):
            sb.max.ensure_user(person, NAMES.get(person, "Макс"), started=True)

    async def setup(self) -> None:
        """People join and write first requests; staff answer some (so tickets, topics,
        drafts, a mass incident and a resolved ticket exist for the fuzz to hit)."""
        for person, code in INVITES.items():
            await self.play(Private(person, {"text": f"/start {code}"}))
        for person, code in MAX_INVITES.items():
            await self.play(Max("bot_started", person, payload=code))
        for i, person in enumerate((*DEMO_USERS, *URAL_USERS, NORD_USER, APPROVER)):
            await self.play(Private(person, {"text": REQUESTS[i % 3]}))
        await self.play(Max("message_created", MAX_DEMO, text=REQUESTS[2]))
        await self.play(Max("message_created", MAX_URAL, text=REQUESTS[0]))
        await self.play(Group(2001, STAFF_CHAT, "topic", 0, {"text": "/take"}))
        await self.play(Group(2001, STAFF_CHAT, "topic", 0, {"text": "Посмотрим, пришлите скрин"}))
        await self.play(Group(2002, STAFF_CHAT, "topic", 1, {"text": "/resolve Перезапустили"}))
        await self.play(Group(2001, STAFF_CHAT, "topic", 2, {"text": "/mass"}))
        await self.play(Group(TEAM_Y, NORTH_CHAT, "topic", 0, {"text": "/take"}))
        await self.play(Private(DEMO_USERS[0], {"text": "/new"}))
        await self.play(Press(DEMO_USERS[0], 0, "n:access", 0))

    # -- feeding -----------------------------------------------------------------------------

    async def play(self, step: Step) -> None:
        """Feed one step, then let the sender deliver what it queued."""
        if isinstance(step, Burst):
            updates = [self._private(item) for item in step.items]
            await self._feed_telegram([u for u in updates if u is not None])
        elif isinstance(step, Max):
            await self._feed_max(step)
        elif isinstance(step, Raw):
            await self._feed_telegram([step.body], kind="raw")
        elif isinstance(step, Again):
            if self.sent:
                again = self.sent[step.pick % len(self.sent)]
                if again.channel == "max":
                    await self._feed_max_raw(again.raw, kind="again")
                else:
                    await self._feed_telegram([again.raw], kind="again")
        elif isinstance(step, TopicGone):
            await self._topic_gone(step)
        else:
            raw = self._build(step)
            if raw is not None:
                await self._feed_telegram([raw])
        await self.settle()

    def _build(self, step: Step) -> dict[str, Any] | None:
        if isinstance(step, Private):
            return self._private(step)
        if isinstance(step, Group):
            return self._group(step)
        if isinstance(step, Press):
            return self._press(step)
        if isinstance(step, Edit):
            return self._edit(step)
        if isinstance(step, Member):
            return self._member(step)
        raise AssertionError(step)

    def _next_id(self) -> int:
        self._update_id += 1
        return self._update_id

    def _person(self, who: int) -> dict[str, Any]:
        """``who`` as Telegram shows them (the sandbox learns them: they exist there)."""
        if who < 0:
            return {"id": 7_000_000_001, "is_bot": True, "first_name": "OtherBot"}
        sb = self.handle.sandbox
        user = sb.state.users.get(who) or sb.ensure_user(who, NAMES.get(who, "Гость"), started=True)
        return user_dict(user)

    def _post(
        self,
        chat: Chat,
        sender: dict[str, Any],
        body: dict[str, Any],
        *,
        thread: int | None = None,
        reply_to: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A person's message, stored in the sandbox as Telegram would keep it."""
        state = self.handle.sandbox.state
        message: dict[str, Any] = {
            "message_id": state.allocate_message_id(chat),
            "from": sender,
            "chat": chat_dict(chat, state.users),
            "date": int(time.time()),
        }
        if thread is not None:
            message["message_thread_id"] = thread
            message["is_topic_message"] = True
            reply_to = reply_to or state.message(chat.id, thread)
        if reply_to is not None:
            message["reply_to_message"] = {
                k: v for k, v in reply_to.items() if k != "reply_to_message"
            }
        message.update(body)
        state.put_message(_storable(message))  # Telegram keeps no lone surrogates
        self.messages.append(message)
        return message

    def _spoke(self, chat_id: int, body: dict[str, Any]) -> None:
        self.updates_from[chat_id] += 1
        words = body.get("text") or body.get("caption")
        if isinstance(words, str):
            self.spoke[chat_id].append(words)

    def _private(self, step: Private) -> dict[str, Any] | None:
        sender = self._person(step.who)
        if sender["is_bot"]:
            return None
        chat = self.handle.sandbox.state.chats[step.who]
        reply_to = None
        if step.reply is not None:
            earlier = self.handle.sandbox.state.chat_messages(chat.id)
            reply_to = earlier[step.reply % len(earlier)] if earlier else None
        message = self._post(chat, sender, step.content, reply_to=reply_to)
        self._spoke(chat.id, step.content)
        return {"update_id": self._next_id(), "message": message}

    def _group_chat(self, group: int) -> Chat:
        return self.handle.sandbox.state.chats[group]

    def _topics(self, group: int) -> list[int]:
        state = self.handle.sandbox.state
        return sorted(t.message_thread_id for t in state.chat_topics(group))

    def _group(self, step: Group) -> dict[str, Any] | None:
        state = self.handle.sandbox.state
        chat = self._group_chat(step.group)
        sender = self._person(step.who)
        thread = reply_to = None
        topics = self._topics(step.group)
        if step.where == "topic" and topics:
            thread = topics[step.pick % len(topics)]
        elif step.where == "unknown":
            thread = 900_000 + step.pick
        elif step.where == "thread":  # this very thread (a test names one)
            thread = step.pick
        elif step.where == "reply_to":  # this very message (a test names one)
            reply_to = state.message(chat.id, step.pick)
            if reply_to is not None and reply_to.get("is_topic_message"):
                thread = reply_to.get("message_thread_id")
        elif step.where == "reply":
            earlier = state.chat_messages(chat.id)
            if earlier:
                reply_to = earlier[step.pick % len(earlier)]
                if reply_to.get("is_topic_message"):
                    thread = reply_to.get("message_thread_id")
        message = self._post(chat, sender, step.content, thread=thread, reply_to=reply_to)
        self._spoke(chat.id, step.content)
        return {"update_id": self._next_id(), "message": message}

    def _press(self, step: Press) -> dict[str, Any] | None:
        sender = self._person(step.who)
        state = self.handle.sandbox.state
        chat_id = step.chat or step.who
        chat = state.chats[chat_id]
        shown = [
            m
            for m in state.chat_messages(chat_id)
            if m["from"].get("is_bot") and m.get("reply_markup")
        ]
        message = shown[-1 - step.pick % len(shown)] if shown else None
        data = step.data
        if data is None:  # a real button of a message the bot sent here
            if message is None:
                return None
            buttons = [
                b.get("callback_data")
                for row in message["reply_markup"].get("inline_keyboard", [])
                for b in row
                if b.get("callback_data")
            ]
            if not buttons:
                return None
            data = buttons[step.pick % len(buttons)]
        if message is None:
            earlier = state.chat_messages(chat_id)
            message = earlier[-1] if earlier else None
        query_id = str(secrets.randbits(63))
        query: dict[str, Any] = {
            "id": query_id,
            "from": sender,
            "chat_instance": str(abs(chat_id)),
            "data": data,
        }
        message_id = 0
        if step.message == "gone" or (message is None and step.message == "real"):
            message_id = message["message_id"] if message else 1
            query["message"] = {
                "message_id": message_id,
                "date": 0,
                "chat": chat_dict(chat, state.users),
            }
        elif step.message == "none":
            query["inline_message_id"] = "inline-" + query_id
        else:
            assert message is not None
            message_id = message["message_id"]
            query["message"] = message
        state.callbacks[query_id] = CallbackRecord(
            query_id, step.who, chat_id, message_id, _storable(data)
        )
        self.updates_from[chat_id] += 1
        return {"update_id": self._next_id(), "callback_query": query}

    def _edit(self, step: Edit) -> dict[str, Any] | None:
        if not self.messages:
            return None
        message = dict(self.messages[step.pick % len(self.messages)])
        key = "caption" if "caption" in message or "photo" in message else "text"
        message[key] = step.text
        message["edit_date"] = int(time.time())
        self._spoke(message["chat"]["id"], {key: step.text})
        return {"update_id": self._next_id(), "edited_message": message}

    def _member(self, step: Member) -> dict[str, Any] | None:
        state = self.handle.sandbox.state
        person = self._person(step.who)
        if person["is_bot"]:
            return None
        now = int(time.time())
        bot = {"id": state.bot.id, "is_bot": True, "first_name": state.bot.first_name}
        if step.kind in ("left", "joined"):
            chat = self._group_chat(step.group)
            body = (
                {"left_chat_member": person}
                if step.kind == "left"
                else {"new_chat_members": [person]}
            )
            return {"update_id": self._next_id(), "message": self._post(chat, person, body)}
        if step.kind == "bot_left":
            chat = self._group_chat(step.group)
            change = {
                "chat": chat_dict(chat, state.users),
                "from": person,
                "date": now,
                "old_chat_member": {"status": "administrator", "user": bot, **_ADMIN},
                "new_chat_member": {"status": "left", "user": bot},
            }
            return {"update_id": self._next_id(), "my_chat_member": change}
        chat = state.chats[step.who]
        blocked = step.kind == "blocked"
        change = {
            "chat": chat_dict(chat, state.users),
            "from": person,
            "date": now,
            "old_chat_member": {"status": "kicked" if not blocked else "member", "user": bot}
            | ({"until_date": 0} if not blocked else {}),
            "new_chat_member": {"status": "kicked" if blocked else "member", "user": bot}
            | ({"until_date": 0} if blocked else {}),
        }
        self.updates_from[chat.id] += 1
        return {"update_id": self._next_id(), "my_chat_member": change}

    async def _topic_gone(self, step: TopicGone) -> None:
        """The topic of a ticket closed (a service message) or deleted under the bot."""
        state = self.handle.sandbox.state
        topics = [t for t in state.chat_topics(STAFF_CHAT) if not t.closed]
        if not topics:
            return
        topic = topics[step.pick % len(topics)]
        chat = self._group_chat(STAFF_CHAT)
        admin = self._person(TEAM_X[0])
        message = self._post(
            chat, admin, {"forum_topic_closed": {}}, thread=topic.message_thread_id
        )
        topic.closed = True
        state.put_topic(topic)
        if step.deleted:
            state.drop_topic(topic)
        await self._feed_telegram(
            [{"update_id": self._next_id(), "message": message}], kind="topic_gone"
        )

    async def _feed_telegram(self, raws: list[Any], kind: str | None = None) -> None:
        updates = []
        for raw in raws:
            self.sent.append(Sent("telegram", raw))
            self.figures.fed[kind or _kind_of(raw)] += 1
            update = await self.app.reader.read(raw)
            if update is not None:
                updates.append(update)
        if updates:
            await handle_batch(self.app.dispatcher, self.app.bot, updates)

    # -- MAX ---------------------------------------------------------------------------------

    def _max_user(self, who: int) -> dict[str, Any]:
        return {"user_id": who, "first_name": NAMES.get(who, "Макс"), "name": "М", "is_bot": False}

    async def _feed_max(self, step: Max) -> None:
        self._stamp += 1000
        stamp = self._stamp
        world = self.handle.sandbox.max
        if 0 < step.who < MAX_USER_ID_LIMIT and step.kind != "chat":
            world.ensure_user(step.who, NAMES.get(step.who, "Макс"), started=True)
        user = self._max_user(step.who)
        raw: dict[str, Any]
        if step.kind in ("message_created", "chat"):
            self._max_seq[step.who] += 1
            seq = 10_000 + self._max_seq[step.who]
            body: dict[str, Any] = {"mid": f"mid.fuzz.{step.who}.{seq}", "seq": seq}
            if step.text:
                body["text"] = step.text
            if step.attachment is not None:
                url = f"{self.handle.url}/nowhere/{seq}"
                body["attachments"] = [
                    {"type": step.attachment, "payload": {"url": url, "token": f"t{seq}"}}
                ]
            raw = {
                "update_type": "message_created",
                "timestamp": stamp,
                "message": {
                    "sender": user,
                    "recipient": {
                        "chat_id": step.who,
                        "chat_type": "chat" if step.kind == "chat" else "dialog",
                    },
                    "timestamp": stamp,
                    "body": body,
                },
            }
            if step.kind == "message_created" and 0 < step.who < MAX_USER_ID_LIMIT:
                self._spoke(max_key(step.who), {"text": step.text})
        elif step.kind == "message_callback":
            raw = self._max_press(step, user, stamp)
        elif step.kind == "bot_started":
            raw = {"update_type": "bot_started", "timestamp": stamp, "user": user}
            if step.payload is not None:
                raw["payload"] = step.payload
            if 0 < step.who < MAX_USER_ID_LIMIT:
                self._spoke(max_key(step.who), {"text": f"/start {step.payload or ''}"})
        else:
            raw = {"update_type": "user_added", "timestamp": stamp, "user": user, "chat_id": 5}
        if step.broken is not None:
            _spoil(raw, step.broken)
        await self._feed_max_raw(raw)

    def _max_press(self, step: Max, user: dict[str, Any], stamp: int) -> dict[str, Any]:
        world = self.handle.sandbox.max
        key = max_key(step.who) if 0 < step.who < MAX_USER_ID_LIMIT else 0
        dialog = world.state.dialog(step.who) if key else []
        shown = [m for m in dialog if m.from_bot and keyboard_of(m.message)]
        payload = step.payload
        mid, seq, text = "mid.none", 1, ""
        if shown:
            record = shown[-1]
            mid, seq = record.mid, record.seq
            text = str(record.message["body"].get("text") or "")
            if payload is None:
                rows = keyboard_of(record.message) or []
                buttons = [b.get("payload") for row in rows for b in row]
                buttons = [b for b in buttons if b]
                payload = buttons[stamp // 1000 % len(buttons)] if buttons else ""
        callback_id = f"cb.{secrets.token_hex(6)}"
        if key:
            world.state.put_callback(
                MaxCallback(callback_id, step.who, mid, _storable(payload or ""))
            )
            self.updates_from[key] += 1
        return {
            "update_type": "message_callback",
            "timestamp": stamp,
            "callback": {
                "callback_id": callback_id,
                "payload": payload or "",
                "user": user,
                "timestamp": stamp,
            },
            "message": {"body": {"mid": mid, "seq": seq, "text": text}, "timestamp": stamp},
        }

    async def _feed_max_raw(self, raw: Any, kind: str | None = None) -> None:
        assert self.app.max is not None
        self.sent.append(Sent("max", raw))
        self.figures.fed[
            kind or f"max:{raw.get('update_type') if isinstance(raw, dict) else '?'}"
        ] += 1
        updates = await self.max_poller.read([raw])
        if updates:
            await handle_batch(self.app.dispatcher, self.app.max.bot, updates)

    # -- the sender ----------------------------------------------------------------------------

    async def settle(self, within: float = 3.0) -> None:
        """Wait (at most ``within`` seconds) until no chat's first pending outbox row is
        due: what the step queued is delivered (topics made, buttons shown) before the
        next step; a lane waiting for a retry later is left to wait."""
        deadline = time.monotonic() + within
        earlier = aliased(OutboxRow)
        while time.monotonic() < deadline:
            async with self.app.db.uow() as uow:
                due = await uow.session.scalar(
                    select(OutboxRow.id)
                    .where(
                        OutboxRow.state == "pending",
                        OutboxRow.next_attempt_at <= _now(),
                        ~select(earlier.id)
                        .where(
                            earlier.chat_id == OutboxRow.chat_id,
                            earlier.state == "pending",
                            earlier.id < OutboxRow.id,
                        )
                        .exists(),
                    )
                    .limit(1)
                )
            if due is None:
                return
            self.app.sender.wake()
            await asyncio.sleep(0.01)


_ADMIN = {
    "can_be_edited": False, "is_anonymous": False, "can_manage_chat": True,
    "can_delete_messages": True, "can_manage_video_chats": True, "can_restrict_members": True,
    "can_promote_members": False, "can_change_info": True, "can_invite_users": True,
    "can_post_stories": False, "can_edit_stories": False, "can_delete_stories": False,
    "can_manage_topics": True,
}  # fmt: skip


def _storable(value: Any) -> Any:
    """``value`` with every lone surrogate replaced: what the sandbox keeps (it writes its
    state as UTF-8, as Telegram would never hold one), while the product gets the original."""
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, dict):
        return {k: _storable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_storable(v) for v in value]
    return value


def _now() -> datetime:
    return datetime.now(UTC)


def _kind_of(raw: Any) -> str:
    if not isinstance(raw, dict):
        return "raw"
    for key in ("message", "edited_message", "callback_query", "my_chat_member", "chat_member"):
        if key in raw:
            if key == "message":
                message = raw[key]
                chat = message.get("chat", {}) if isinstance(message, dict) else {}
                return "group_message" if chat.get("type") == "supergroup" else "message"
            return key
    return "raw"


def _spoil(raw: dict[str, Any], name: str) -> None:
    """Break one field of a MAX update the way a changed or broken API might."""
    for holder in (
        raw,
        raw.get("message"),
        raw.get("callback"),
        (raw.get("message") or {}).get("body"),
    ):
        if isinstance(holder, dict) and name in holder:
            holder[name] = {"timestamp": "soon", "seq": "x", "user": None}.get(name, [])
            return
    raw[name] = None


# -- the checker ---------------------------------------------------------------------------

NUMBER = re.compile(r"\b([A-Z][A-Z0-9]{1,15}-\d{1,12})\b")


@dataclass
class Findings:
    """What ``check`` found: ``problems`` (each a line) and how many rows it read."""

    problems: list[str] = field(default_factory=list)
    rows: Counter[str] = field(default_factory=Counter)

    def add(self, line: str) -> None:
        if len(self.problems) < 200:
            self.problems.append(line)

    @property
    def checked(self) -> int:
        return sum(self.rows.values())


@dataclass
class Directory:
    """Who is who, read from the database."""

    clients: dict[str, str]  # code -> team
    team_chats: dict[str, int]  # team -> staff group
    staff: dict[int, str]  # telegram id -> team
    users: dict[int, str]  # person -> client
    moved_from: dict[int, set[str]]  # person -> clients they left (audited)
    managers: dict[int, set[str]]  # person -> clients they manage
    people: dict[int, set[str]]  # person -> clients naming them in the catalogue
    addresses: dict[int, int]  # chat key -> person (a second messenger)

    def person(self, chat: int) -> int:
        return self.addresses.get(chat, chat)

    def clients_of(self, person: int) -> set[str]:
        """The clients whose tickets a person may hear of (as user, manager, approver)."""
        found = set(self.moved_from.get(person, set()))
        if person in self.users:
            found.add(self.users[person])
        return found | self.managers.get(person, set()) | self.people.get(person, set())

    def may_hear(self, chat: int, client: str) -> bool:
        person = self.person(chat)
        team = self.clients[client]
        return self.staff.get(person) == team or client in self.clients_of(person)


async def directory(world: World) -> Directory:
    async with world.app.db.uow() as uow:
        s = uow.session
        clients = {r.code: r.team for r in await s.scalars(select(ClientRow))}
        team_chats = {r.name: r.chat_id for r in await s.scalars(select(TeamRow))}
        staff = {r.telegram_id: r.team for r in await s.scalars(select(StaffRow))}
        users = {r.telegram_id: r.client_code for r in await s.scalars(select(UserRow))}
        moved: dict[int, set[str]] = defaultdict(set)
        for event in await s.scalars(
            select(AuditEventRow).where(AuditEventRow.what == "user.client")
        ):
            moved[int(event.actor.partition(":")[2] or 0)].add(event.old or "")
        managers: dict[int, set[str]] = defaultdict(set)
        for row in await s.scalars(select(ClientManagerRow)):
            managers[row.telegram_id].add(row.client_code)
        people: dict[int, set[str]] = defaultdict(set)
        for row in await s.scalars(select(ClientPeopleRow)):
            for person in _people_ids(row.people):
                people[person].add(row.client_code)
        addresses = {r.key: r.user_id for r in await s.scalars(select(UserAddressRow))}
    return Directory(clients, team_chats, staff, users, moved, managers, people, addresses)


def _people_ids(people: Any) -> set[int]:
    """Every Telegram id in a client's people (the catalogue's JSON, whatever its shape)."""
    found: set[int] = set()
    if isinstance(people, dict):
        for key, value in people.items():
            if key in ("telegram_id", "id") and isinstance(value, int):
                found.add(value)
            else:
                found |= _people_ids(value)
    elif isinstance(people, list):
        for item in people:
            found |= (
                {item}
                if isinstance(item, int) and not isinstance(item, bool)
                else _people_ids(item)
            )
    return found


async def check(world: World) -> Findings:
    """Every ticket consistent, the audit chain whole, every outbox row to a chat that
    may have it (ARCHITECTURE.md, invariants 3 and 4)."""
    found = Findings()
    who = await directory(world)
    async with world.app.db.uow() as uow:
        s = uow.session
        tickets = {t.id: t for t in await s.scalars(select(TicketRow))}
        numbers = {t.number: t for t in tickets.values()}
        for t in tickets.values():
            found.rows["tickets"] += 1
            _check_ticket(found, who, t)
        for topic in await s.scalars(select(TicketTopicRow)):
            found.rows["ticket_topics"] += 1
            ticket = tickets[topic.ticket_id]
            team_chat = who.team_chats[who.clients[ticket.client_code]]
            if topic.chat_id != team_chat:
                found.add(f"{ticket.number}'s topic is in chat {topic.chat_id}, not {team_chat}")
        for link in await s.scalars(select(MessageLinkRow)):
            found.rows["message_links"] += 1
            ticket = tickets[link.ticket_id]
            if link.chat_id < 0 and link.chat_id > MAX_BASE:  # a group
                team_chat = who.team_chats[who.clients[ticket.client_code]]
                if link.chat_id != team_chat:
                    found.add(f"{ticket.number} linked to message in group {link.chat_id}")
            elif not who.may_hear(link.chat_id, ticket.client_code):
                found.add(f"{ticket.number} linked to a message in chat {link.chat_id}")
        reporters: dict[int, set[int]] = defaultdict(set)  # incident -> its reports' users
        for report in await s.scalars(select(IncidentReportRow)):
            reporters[report.incident_id].add(report.user_id)
            found.rows["incident_reports"] += 1
            a, b = tickets[report.report_id], tickets[report.incident_id]
            if a.client_code != b.client_code:
                found.add(f"report {a.number} linked to another client's incident {b.number}")
            if report.user_id != a.requester_id:
                found.add(f"report {a.number} names user {report.user_id}")
        for mass in await s.scalars(select(MassIncidentRow)):
            found.rows["mass_incidents"] += 1
            if tickets[mass.ticket_id].client_code != mass.client_code:
                found.add(f"mass incident {tickets[mass.ticket_id].number} of another client")
        await _check_approvals(found, who, s, tickets)
        for form in await s.scalars(select(FormDraftRow)):
            found.rows["form_drafts"] += 1
            person = who.person(form.user_id)
            if form.client_code not in who.clients_of(person):
                found.add(f"form {form.id} of {form.user_id} for client {form.client_code}")
        files = {r.id: r.client_code for r in await s.scalars(select(ReportFileRow))}
        for row in await s.scalars(select(OutboxRow).order_by(OutboxRow.id)):
            found.rows["outbox"] += 1
            _check_outbox(found, who, world, row, tickets, numbers, files, reporters)
        broken = await uow.audit.verify()
        found.rows["audit_events"] += await s.scalar(select(func.count(AuditEventRow.id))) or 0
    for problem in broken:
        found.add(f"the audit chain does not verify: {problem}")
    return found


def _check_ticket(found: Findings, who: Directory, t: TicketRow) -> None:
    if t.client_code not in who.clients:
        found.add(f"{t.number}: client {t.client_code} does not exist")
        return
    team = who.clients[t.client_code]
    if who.staff.get(t.owner_id) != team:
        found.add(f"{t.number}: owner {t.owner_id} is not staff of team {team}")
    if is_system_user(t.requester_id):
        return
    person = who.person(t.requester_id)
    if t.client_code != who.users.get(person) and t.client_code not in who.moved_from.get(
        person, ()
    ):
        found.add(f"{t.number}: requester {t.requester_id} is not a user of {t.client_code}")
    if t.reply_chat is not None and who.person(t.reply_chat) != t.requester_id:
        found.add(f"{t.number}: answers go to chat {t.reply_chat}, not its requester's")


async def _check_approvals(
    found: Findings, who: Directory, s: Any, tickets: dict[int, Any]
) -> None:
    approvals = {a.id: a for a in await s.scalars(select(ApprovalRow))}
    for vote in await s.scalars(select(ApprovalVoteRow)):
        found.rows["approval_votes"] += 1
        approval = approvals[vote.approval_id]
        ticket = tickets[approval.ticket_id]
        voter = who.person(vote.telegram_id)
        if voter == ticket.requester_id:
            found.add(f"{ticket.number}: its requester voted on approval {approval.id}")
        if ticket.client_code not in who.managers.get(voter, set()) | who.people.get(voter, set()):
            found.add(f"{ticket.number}: {voter} voted, no approver or manager of its client")


def _check_outbox(
    found: Findings,
    who: Directory,
    world: World,
    row: OutboxRow,
    tickets: dict[int, Any],
    numbers: dict[str, Any],
    files: dict[int, str],
    reporters: dict[int, set[int]],
) -> None:
    chat = row.chat_id
    what = f"outbox {row.id} ({row.kind}) to {chat}"
    ticket = tickets.get(row.ticket_id) if row.ticket_id is not None else None
    group = MAX_BASE < chat < 0
    if group:
        if chat not in who.team_chats.values() and world.updates_from[chat] == 0:
            found.add(f"{what}: a group nobody wrote in")
        if ticket is not None and chat != who.team_chats[who.clients[ticket.client_code]]:
            found.add(f"{what}: {ticket.number} is not this group's team's")
        return
    person = who.person(chat)
    known = (
        person in who.users or person in who.staff or person in who.managers or person in who.people
    )
    if not known and world.updates_from[chat] == 0:
        found.add(f"{what}: nobody there ever wrote to the bot")
    if ticket is not None and not who.may_hear(chat, ticket.client_code):
        found.add(f"{what}: about {ticket.number} of another client")
    elif ticket is not None and not _concerned(who, person, ticket, reporters):
        found.add(f"{what}: about {ticket.number}, another user's")
    payload = row.payload or {}
    if row.kind == "copy":
        source = payload.get("from_chat_id")
        if isinstance(source, int) and not (MAX_BASE < source < 0) and who.person(source) != person:
            found.add(f"{what}: a copy of chat {source}'s message")
    if row.kind == "document":
        client = files.get(payload.get("file_id", 0))
        if client is not None and client not in who.managers.get(person, set()):
            found.add(f"{what}: report file of {client}")
    text = " ".join(str(payload.get(k) or "") for k in ("text", "caption"))
    said = " ".join(world.spoke.get(chat, ()))
    for number in set(NUMBER.findall(text)):
        mentioned = numbers.get(number)
        if mentioned is None or number in said:
            continue
        if not who.may_hear(chat, mentioned.client_code):
            found.add(f"{what}: names {number} of another client")
    if not known and row.ticket_id is not None:
        found.add(f"{what}: a stranger told about ticket {row.ticket_id}")


def _concerned(who: Directory, person: int, ticket: Any, reporters: dict[int, set[int]]) -> bool:
    """Whether a row about ``ticket`` may go to ``person`` within its client: its
    requester, a user whose report is linked to it (a mass incident), the client's
    managers and named people (approvals, reports), staff of its team."""
    client = ticket.client_code
    return (
        person == ticket.requester_id
        or person in reporters.get(ticket.id, set())
        or client in who.managers.get(person, set())
        or client in who.people.get(person, set())
        or who.staff.get(person) == who.clients[client]
    )


async def stranger_answers(world: World) -> list[str]:
    """Chats of nobody the desk knows that got more messages than they sent updates."""
    who = await directory(world)
    per_chat: Counter[int] = Counter()
    async with world.app.db.uow() as uow:
        for chat in await uow.session.scalars(select(OutboxRow.chat_id)):
            per_chat[chat] += 1
    problems = []
    for chat, count in per_chat.items():
        person = who.person(chat)
        known = any(person in group for group in (who.users, who.staff, who.managers, who.people))
        if MAX_BASE < chat < 0 or known:
            continue
        if count > world.updates_from[chat]:
            problems.append(
                f"stranger chat {chat}: {count} messages for {world.updates_from[chat]} updates"
            )
    return problems


def describe(world: World, findings: Findings) -> str:
    """The figures as printed."""
    fed = world.figures
    kinds = ", ".join(f"{k} {n}" for k, n in sorted(fed.fed.items()))
    rows = ", ".join(f"{k} {n}" for k, n in sorted(findings.rows.items()))
    warned = ", ".join(f"{k} {n}" for k, n in world.tally.warnings.most_common(6))
    unreadable = world.app.reader.unreadable + (
        world.app.max.reader.unreadable if world.app.max else 0
    )
    tally = world.tally
    return "\n".join(
        [
            f"updates fed: {fed.updates} in {fed.seconds:.1f} s ({kinds})",
            f"unreadable set aside: {unreadable}, "
            f"re-deliveries skipped: {world.app.updates.duplicates}",
            f"refusals answered: {tally.refused}, stale presses answered: {tally.stale}",
            f"unhandled exceptions (ERROR logged): {len(world.tally.errors)}",
            f"warnings by logger: {warned or 'none'}",
            f"rows checked: {findings.checked} ({rows})",
            f"problems: {len(findings.problems)}",
            f"outbox: delivered {world.app.sender.delivered}, failed {world.app.sender.failed}",
        ]
    )


def dump(raw: Any, limit: int = 500) -> str:
    """``raw`` as JSON (ASCII: lone surrogates print), cut at ``limit``."""
    try:
        return json.dumps(raw)[:limit]
    except (TypeError, ValueError):
        return ascii(raw)[:limit]


# -- the run ---------------------------------------------------------------------------------


@dataclass
class Outcome:
    """A fuzz run: its figures as printed, what the checker found, the errors logged with
    the step that caused each (``culprits``)."""

    figures: str
    findings: Findings
    errors: list[str]
    culprits: list[str]
    strangers: list[str]
    updates: int
    traces: dict[str, str] = field(default_factory=dict)

    @property
    def clean(self) -> bool:
        return not (self.errors or self.findings.problems or self.strangers)


def run(
    data_dir: Path,
    *,
    updates: int,
    seed: int = 0,
    database_url: str | None = None,
    per_round: int = 200,
    progress: bool = False,
) -> Outcome:
    """Feed at least ``updates`` generated updates (hypothesis draws the steps, ``seed``
    picks which) to the product after ``World.setup``, then check the database.

    Runs its own event loop (hypothesis calls the example function synchronously):
    every step is played to the end, with the outbox delivered, before the next.
    """
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as seeded

    loop = asyncio.new_event_loop()
    running = World.running(data_dir, database_url)
    world = loop.run_until_complete(running.__aenter__())
    culprits: list[str] = []
    try:
        loop.run_until_complete(world.setup())
        started = time.perf_counter()

        def play(step: Step) -> None:
            before = len(world.tally.errors)
            try:
                loop.run_until_complete(world.play(step))
            except Exception as exc:  # the harness itself: counted, never hidden
                world.tally.errors.append(f"escaped the product: {type(exc).__name__}: {exc}")
            if len(world.tally.errors) > before and len(culprits) < 20:
                last = dump(world.sent[-1].raw) if world.sent else ""
                culprits.append(f"{ascii(step)[:400]}\n    last update: {last}")

        rounds = 0
        while world.figures.updates < updates:
            rounds += 1

            @settings(
                max_examples=per_round,
                database=None,
                deadline=None,
                phases=[Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @seeded(seed * 100_003 + rounds)
            @given(st.lists(steps(), min_size=1, max_size=5))
            def example(batch: list[Step]) -> None:
                for step in batch:
                    if world.figures.updates >= updates:
                        return
                    play(step)

            example()
            world.figures.seconds = time.perf_counter() - started
            if progress:
                print(
                    f"  {world.figures.updates} updates, {len(world.tally.errors)} errors, "
                    f"{world.figures.seconds:.0f} s",
                    flush=True,
                )
        loop.run_until_complete(world.settle(10.0))
        findings = loop.run_until_complete(check(world))
        strangers = loop.run_until_complete(stranger_answers(world))
        return Outcome(
            describe(world, findings),
            findings,
            list(world.tally.errors),
            culprits,
            strangers,
            world.figures.updates,
            dict(world.tally.traces),
        )
    finally:
        loop.run_until_complete(running.__aexit__(None, None, None))
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()
