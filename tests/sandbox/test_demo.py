"""`supportdesk demo` as a person runs it: a process, a banner, a web chat, Ctrl-C, run again."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import sys
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.cli.demo import (
    MANAGER_ID,
    MAX_USER_ID,
    PEOPLE,
    STAFF,
    STAFF_CHAT_ID,
    USER_ID,
    USERS,
    WEB_SECRET_FILE,
    _join_demo_users,
    seed,
)
from desk.channels import Channel
from sandbox.client import SandboxControl
from sandbox.core import Sandbox, SandboxConfig
from sandbox.server import running_sandbox

REPO = Path(__file__).resolve().parents[2]
ON_TELEGRAM = tuple(p for p in PEOPLE if p.channel is Channel.TELEGRAM)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def _start(
    port: int, data: Path, log: Path, web_port: int | None = None, **env: str
) -> tuple[asyncio.subprocess.Process, str]:
    """Start the demo and return it with its banner (read up to the Ctrl-C hint)."""
    web = ["--web-port", str(web_port or _free_port())]
    with log.open("ab") as errors:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli",
            "demo",
            "--port",
            str(port),
            *web,
            "--data-dir",
            str(data),
            cwd=REPO,
            stdout=asyncio.subprocess.PIPE,
            stderr=errors,
            env={**os.environ, **env},
        )
    assert proc.stdout is not None
    banner: list[str] = []
    while not banner or "Ctrl+C" not in banner[-1]:
        line = await asyncio.wait_for(proc.stdout.readline(), 120)
        assert line, f"the demo exited early; see {log}"
        banner.append(line.decode())
    return proc, "".join(banner)


async def _stop(proc: asyncio.subprocess.Process) -> str:
    proc.send_signal(signal.SIGINT)
    assert proc.stdout is not None
    rest = await asyncio.wait_for(proc.stdout.read(), 60)
    assert await proc.wait() == 0
    return rest.decode()


async def _get(session: aiohttp.ClientSession, url: str, **query: Any) -> Any:
    async with session.get(url, params={k: str(v) for k, v in query.items()}) as resp:
        assert resp.status == 200, await resp.text()
        return await resp.json()


@pytest.mark.slow
async def test_the_demo_runs_the_bot_behind_the_web_chat_and_keeps_data(tmp_path: Path):
    port, data, log = _free_port(), tmp_path / "demo", tmp_path / "demo.log"
    base = f"http://127.0.0.1:{port}"
    proc, banner = await _start(port, data, log)
    try:
        assert f"Веб-чат:           {base}/" in banner
        assert "Бот запущен на SQLite" in banner, banner
        async with aiohttp.ClientSession() as session:
            state = await _get(session, f"{base}/sandbox/api/state")
            assert state["bot"]["token"] in banner
            assert {u["id"] for u in state["users"]} == {p.id for p in ON_TELEGRAM}
            assert [u["id"] for u in state["max"]["users"]] == [MAX_USER_ID]
            # the demo user joined the client through the bot's own invite flow
            welcome = await _get(
                session, f"{base}/sandbox/api/messages", chat_id=USER_ID, after=1, wait=60
            )
            assert welcome[0]["from"]["is_bot"] is True
            async with session.get(f"{base}/") as page:
                assert "Песочница Telegram" in await page.text()
            # and the MAX user through the MAX bot's deep link
            control = SandboxControl(base, session)
            await _max_bot_says(control, MAX_USER_ID, "Демо")
    finally:
        stopped = await _stop(proc)
    assert "Демо остановлено" in stopped

    proc, again = await _start(port, data, log)
    try:
        assert state["bot"]["token"] in again  # the same bot, the same data
        async with aiohttp.ClientSession() as session:
            kept = await _get(session, f"{base}/sandbox/api/messages", chat_id=USER_ID)
            dialog = await SandboxControl(base, session).messages(MAX_USER_ID, channel="max")
        assert [m["message_id"] for m in kept][: len(welcome) + 1] == [1] + [
            m["message_id"] for m in welcome
        ]
        assert sum(m.get("text", "").startswith("/start") for m in kept) == 1
        assert dialog[0]["from_bot"]  # the MAX dialog is kept too
    finally:
        await _stop(proc)


async def _bot_says(
    control: SandboxControl, chat_id: int, wanted: str, after: int = 0
) -> dict[str, Any]:
    """The first bot message in ``chat_id`` after ``after`` whose JSON holds ``wanted``."""
    while True:
        messages = await control.messages(chat_id, after=after, wait=30)
        for message in messages:
            if message["from"]["is_bot"] and wanted in json.dumps(message, ensure_ascii=False):
                return message
        assert messages, f"no message with {wanted!r} in chat {chat_id}"
        after = messages[-1]["message_id"]


async def _max_bot_says(
    control: SandboxControl, user_id: int, wanted: str, after: str | None = None
) -> dict[str, Any]:
    """The first bot message in MAX user ``user_id``'s dialog after ``after`` holding ``wanted``."""
    while True:
        messages = await control.messages(user_id, after=after, wait=30, channel="max")
        for message in messages:
            if message["from_bot"] and wanted in (message["text"] or ""):
                return message
        assert messages, f"no message with {wanted!r} in MAX dialog {user_id}"
        after = messages[-1]["mid"]


@pytest.mark.slow
async def test_the_demo_shows_every_role_and_its_page_logs_no_token(tmp_path: Path):
    """Every demo user joins their client (five of «Демо», one of «Урал-Снаб»);
    manager 1003 gets a link from /tickets and the page at the address the banner
    printed opens with it; neither the link's token nor the page's secret appears
    anywhere in what the demo printed or logged."""
    port, web_port = _free_port(), _free_port()
    data, log = tmp_path / "demo", tmp_path / "demo.log"
    page = f"http://127.0.0.1:{web_port}"
    proc, banner = await _start(port, data, log, web_port)
    try:
        assert f"Страница клиента:  {page}" in banner
        for person in PEOPLE:
            assert f"{person.id} — {person.first_name} {person.last_name}" in banner
        async with aiohttp.ClientSession() as session:
            control = SandboxControl(f"http://127.0.0.1:{port}", session)
            for user in USERS:  # each joined through the bot's own invite flow
                client = "Урал-Снаб" if user.invite == "ural" else "Демо"
                if user.channel is Channel.MAX:
                    await _max_bot_says(control, user.id, client)
                else:
                    await _bot_says(control, user.id, client)
            sent = await control.send(MANAGER_ID, MANAGER_ID, "/tickets")
            answer = await _bot_says(control, MANAGER_ID, f"{page}/c/", after=sent)
            found = re.search(rf"{re.escape(page)}/c/([A-Za-z0-9_.-]+)", json.dumps(answer))
            assert found is not None
            token = found.group(1)
            async with session.get(found.group(0)) as response:
                assert response.status == 200
                assert "Демо" in await response.text()
            # the alerts API at the address the banner printed, with the demo client's key
            assert f"API оповещений:    {page}/api/v1/alerts" in banner
            alert = {"key": "1c-down", "status": "firing", "summary": "Сервер 1С не отвечает"}
            headers = {"Authorization": "Bearer demo-alerts-key"}
            async with session.post(f"{page}/api/v1/alerts", json=alert, headers=headers) as r:
                assert r.status in (200, 201)
                number = (await r.json())["ticket"]
            assert number.startswith("DEMO-")
            await _bot_says(control, STAFF_CHAT_ID, "Сервер 1С не отвечает")
            # the operator's probes at the addresses the banner printed (bot.web.ops)
            probes = f"Здоровье, метрики: {page}/healthz, {page}/readyz, {page}/metrics"
            assert probes in banner
            for path in ("/healthz", "/readyz", "/metrics"):
                async with session.get(page + path) as response:
                    assert response.status == 200, path
                    assert '"role": "bot"' in await response.text() or path == "/metrics"
    finally:
        printed = banner + await _stop(proc)
    logged = log.read_text(encoding="utf-8")
    assert "GET /c/" in logged  # the page's access was logged ...
    secret = (data / WEB_SECRET_FILE).read_text(encoding="ascii").strip()
    for output in (printed, logged):
        assert token not in output  # ... without the token
        assert secret not in output


async def _max_answer(
    control: SandboxControl, user_id: int, after: str, *wanted: str
) -> dict[str, Any]:
    """The first bot message after ``after`` holding any of ``wanted`` (text or buttons)."""
    while True:
        messages = await control.messages(user_id, after=after, wait=30, channel="max")
        for message in messages:
            if message["from_bot"] and any(
                w in json.dumps(message, ensure_ascii=False) for w in wanted
            ):
                return message
        assert messages, f"no message with {wanted!r} in MAX dialog {user_id}"
        after = messages[-1]["mid"]


@pytest.mark.slow
async def test_the_demos_max_user_gets_a_number_on_max_and_the_card_says_max(tmp_path: Path):
    """Ирина (1006) writes from MAX: the banner says so and prints DEMO's invite
    links for both messengers; her request, sent through the control API, is
    registered with a number told on MAX, and its topic's card says «MAX». Asked
    for JSON logs, the demo writes nothing else: one JSON object a line."""
    port, data, log = _free_port(), tmp_path / "demo", tmp_path / "demo.log"
    proc, banner = await _start(port, data, log, SUPPORTDESK_LOG_FORMAT="json")
    try:
        assert "1006 — Ирина Соколова, кадровик «Демо», пишет из MAX" in banner
        assert "Поддержка — в Telegram" in banner
        assert "https://t.me/supportdesk_sandbox_bot?start=demo" in banner
        assert "https://max.ru/supportdesk_max_bot?start=demo" in banner
        assert "/connect" in banner
        async with aiohttp.ClientSession() as session:
            control = SandboxControl(f"http://127.0.0.1:{port}", session)
            welcome = await _max_bot_says(control, MAX_USER_ID, "Демо")
            request = "Кадровик не видит новый шаблон приказа о премировании"
            sent = await control.send(MAX_USER_ID, MAX_USER_ID, request, channel="max")
            answer = await _max_answer(
                control, MAX_USER_ID, sent, "зарегистрирована", "Не то, зарегистрировать"
            )
            if "зарегистрирована" not in (answer["text"] or ""):  # the FAQ step came first
                button = next(
                    b for row in answer["keyboard"] for b in row if b["text"].startswith("Не то")
                )
                await control.click(
                    MAX_USER_ID, MAX_USER_ID, answer["mid"], button["payload"], channel="max"
                )
                answer = await _max_bot_says(control, MAX_USER_ID, "зарегистрирована", sent)
            number = re.search(r"DEMO-\d+", answer["text"])
            assert number is not None, answer["text"]
            assert welcome["mid"] != answer["mid"]
            card = await _bot_says(control, STAFF_CHAT_ID, f"{number.group(0)} · новая")
            assert card["message_thread_id"]
            assert "Пользователь: Ирина (@irina_s) · MAX" in card["text"]
            assert request in card["text"]
    finally:
        await _stop(proc)
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    assert lines
    assert all({"time", "level", "logger", "message"} <= line.keys() for line in lines)
    assert any(line.get("ticket") == number.group(0) for line in lines)


def test_seeding_is_idempotent(tmp_path: Path):
    sandbox = Sandbox(SandboxConfig(tmp_path))
    seed(sandbox)
    seed(sandbox)
    assert sorted(sandbox.state.users) == sorted(p.id for p in ON_TELEGRAM)
    assert sorted(sandbox.max.state.users) == [MAX_USER_ID]
    staff = sandbox.state.chats[STAFF_CHAT_ID]
    assert (staff.type, staff.is_forum) == ("supergroup", True)
    assert staff.status_of(sandbox.state.bot.id) == "administrator"
    assert {staff.status_of(p.id) for p in STAFF} <= {"member", "administrator"}
    # a private chat each, the staff forum
    assert len(sandbox.state.chats) == len(ON_TELEGRAM) + 1
    sandbox.store.close()


async def test_each_user_opens_their_deep_link_once(tmp_path: Path) -> None:
    """The first run opens every demo user's deep link (on MAX: ``bot_started`` with
    the invite, the dialog now open); a later run, on the data kept, opens none."""
    async with running_sandbox(tmp_path / "sandbox") as handle:
        seed(handle.sandbox)
        irina = handle.sandbox.max.state.users[MAX_USER_ID]
        assert not irina.started  # she has not opened the dialog yet
        await _join_demo_users(handle)
        assert irina.started
        started = [u.update for u in handle.sandbox.max.state.updates]
        assert [(u["update_type"], u["user_id"], u["payload"]) for u in started] == [
            ("bot_started", MAX_USER_ID, "demo")
        ]
        seed(handle.sandbox)  # the next run: names refreshed, the dialog stays open
        await _join_demo_users(handle)
        assert irina.started
        assert len(handle.sandbox.max.state.updates) == 1
        for user in ON_TELEGRAM:
            if user.invite:
                sent = handle.sandbox.state.chat_messages(user.id)
                assert [m.get("text") for m in sent] == [f"/start {user.invite}"]


async def test_a_taken_port_gets_a_clear_answer(tmp_path: Path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli",
            "demo",
            "--port",
            str(port),
            "--data-dir",
            str(tmp_path / "demo"),
            cwd=REPO,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
        out, _ = await asyncio.wait_for(proc.communicate(), 120)
    assert proc.returncode == 1
    assert f"Не удалось занять 127.0.0.1:{port}" in out.decode()
    assert f"--port {port + 1}" in out.decode()
