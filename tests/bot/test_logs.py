"""What the product writes to its log (``bot.logs``): text or one JSON object a
line, naming the update and the ticket, and never a secret or a signed token;
and ``supportdesk web`` run as a process logging that way, with its probes.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
from pydantic import SecretStr

from bot import logs
from bot.logs import JsonFormatter, Scrubber, TextFormatter
from bot.settings import Settings
from tests.bot.test_web import SECRET, signer
from tests.e2e.desk import free_port

ROOT = Path(__file__).parents[2]
BOT_TOKEN = "7000000001:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
SETTINGS = Settings(
    _env_file=None,  # type: ignore[call-arg]
    bot_token=SecretStr(BOT_TOKEN),
    webhook_secret=SecretStr("webhook-secret-of-twenty"),
    web_secret=SecretStr(SECRET),
    max_token=SecretStr("max-token-value-123"),
    database_url="postgresql+asyncpg://desk:pg-password-9@db.internal:5432/desk",
)


@pytest.fixture
def logger() -> Iterator[tuple[logging.Logger, io.StringIO, io.StringIO]]:
    """A logger writing both formats into buffers."""
    text, lines = io.StringIO(), io.StringIO()
    log = logging.getLogger("test.bot.logs")
    log.propagate = False
    log.setLevel(logging.DEBUG)
    handlers = []
    for stream, formatter in (
        (text, TextFormatter(Scrubber.of(SETTINGS))),
        (lines, JsonFormatter(Scrubber.of(SETTINGS))),
    ):
        handler = logging.StreamHandler(stream)
        handler.setFormatter(formatter)
        log.addHandler(handler)
        handlers.append(handler)
    yield log, text, lines
    for handler in handlers:
        log.removeHandler(handler)


def _objects(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_a_json_line_has_the_fields_and_the_update_and_ticket_when_known(
    logger: tuple[logging.Logger, io.StringIO, io.StringIO],
) -> None:
    log, text, lines = logger
    log.info("outside any update")
    bound = logs.bind_update(41)
    try:
        log.info("claimed")
        logs.bind_ticket("DEMO-7")
        log.warning("registered %s", "DEMO-7")
    finally:
        logs.unbind(bound)
    log.info("after the update")
    first, claimed, registered, after = _objects(lines)
    assert set(first) == {"time", "level", "logger", "message"}
    assert first["logger"] == "test.bot.logs"
    assert datetime.fromisoformat(str(first["time"])).tzinfo == UTC
    assert claimed["update"] == 41
    assert "ticket" not in claimed
    assert registered == {**registered, "level": "WARNING", "update": 41, "ticket": "DEMO-7"}
    assert registered["message"] == "registered DEMO-7"
    assert set(after) == {"time", "level", "logger", "message"}
    shown = text.getvalue().splitlines()
    assert shown[1].endswith("INFO test.bot.logs: claimed [update=41]")
    assert shown[2].endswith("registered DEMO-7 [update=41 ticket=DEMO-7]")
    assert shown[3].endswith("after the update")


def test_a_ticket_is_not_bound_outside_an_update(
    logger: tuple[logging.Logger, io.StringIO, io.StringIO],
) -> None:
    """A job's loop handles ticket after ticket: a bound number would stick to the
    lines of the next one, so only ``extra`` names a ticket there."""
    log, _, lines = logger
    logs.bind_ticket("DEMO-1")
    log.info("a job's line")
    log.info("an alert", extra={"ticket": "DEMO-2"})
    plain, named = _objects(lines)
    assert "ticket" not in plain
    assert named["ticket"] == "DEMO-2"


async def test_updates_handled_side_by_side_keep_their_own_context(
    logger: tuple[logging.Logger, io.StringIO, io.StringIO],
) -> None:
    log, _, lines = logger
    both = asyncio.Barrier(2)

    async def handle(update_id: int, number: str) -> None:
        bound = logs.bind_update(update_id)
        try:
            logs.bind_ticket(number)
            await both.wait()  # the other update bound its own meanwhile
            log.info("done %s", update_id)
        finally:
            logs.unbind(bound)

    await asyncio.gather(handle(1, "DEMO-1"), handle(2, "DEMO-2"))
    found = {(o["update"], o["ticket"]) for o in _objects(lines)}
    assert found == {(1, "DEMO-1"), (2, "DEMO-2")}


def test_a_traceback_stays_inside_its_json_line(
    logger: tuple[logging.Logger, io.StringIO, io.StringIO],
) -> None:
    log, text, lines = logger
    try:
        raise RuntimeError(f"call to https://api.telegram.org/bot{BOT_TOKEN}/getMe failed")
    except RuntimeError:
        log.exception("sending failed")
    assert len(lines.getvalue().splitlines()) == 1
    (entry,) = _objects(lines)
    assert entry["message"] == "sending failed"
    assert "Traceback" in str(entry["exc"])
    assert "RuntimeError" in str(entry["exc"])
    for out in (text.getvalue(), lines.getvalue()):
        assert BOT_TOKEN not in out
        assert "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw" not in out
    assert text.getvalue().splitlines()[0].endswith("sending failed")  # the tail before it


def test_secrets_and_signed_tokens_never_reach_the_log(
    logger: tuple[logging.Logger, io.StringIO, io.StringIO],
) -> None:
    log, text, lines = logger
    page_token = signer().sign("DEMO", 5001, datetime.now(UTC))
    other_token = "5999999999:ZZZdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"  # not ours: its shape
    log.info("webhook secret %s", "webhook-secret-of-twenty")
    log.info("max %s and link secret %s", "max-token-value-123", SECRET)
    log.info("db postgresql+asyncpg://desk:pg-password-9@db.internal:5432/desk down")
    log.info("redis://app:another-pass@cache:6379/0 down")
    log.info("link sent: https://desk.example.ru/c/%s/t/DEMO-1", page_token)
    log.info("token %s", other_token)
    log.info("invite https://t.me/desk_bot?start=pairing-code-123456 sent")
    out = text.getvalue() + lines.getvalue()
    for secret in (
        "webhook-secret-of-twenty",
        "max-token-value-123",
        SECRET,
        "pg-password-9",
        "another-pass",
        page_token,
        page_token[8:],
        other_token,
        "pairing-code-123456",
    ):
        assert secret not in out, secret
    messages = [str(o["message"]) for o in _objects(lines)]
    assert messages[2] == "db postgresql+asyncpg://desk:***@db.internal:5432/desk down"
    assert messages[4] == f"link sent: https://desk.example.ru/c/{page_token[:8]}…/t/DEMO-1"
    assert messages[5] == "token <bot token>"
    assert messages[6] == "invite https://t.me/desk_bot?start=pair… sent"


def test_configure_writes_json_to_the_root_logger() -> None:
    root = logging.getLogger()
    saved, level = root.handlers[:], root.level
    stream = io.StringIO()
    try:
        logs.configure(SETTINGS.model_copy(update={"log_format": "json"}), stream)
        logging.getLogger("bot.anything").info("hello %s", BOT_TOKEN)
    finally:
        root.handlers[:] = saved
        root.setLevel(level)
    (entry,) = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert entry["message"] == "hello ***"


@pytest.mark.slow
def test_supportdesk_web_logs_json_lines_and_answers_its_probes(migrated_url: str) -> None:
    """``supportdesk web`` as an operator runs it: JSON lines on stderr, its health and
    metrics on the page's port (role web), a page link's token cut in the access log."""
    port = free_port()
    env = {
        **os.environ,
        "SUPPORTDESK_DATABASE_URL": migrated_url,
        "SUPPORTDESK_WEB_PORT": str(port),
        "SUPPORTDESK_WEB_BASE_URL": f"http://127.0.0.1:{port}",
        "SUPPORTDESK_WEB_SECRET": SECRET,
        "SUPPORTDESK_LOG_FORMAT": "json",
        "SUPPORTDESK_LOG_LEVEL": "DEBUG",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "web"],
        cwd=ROOT,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    page_token = signer().sign("DEMO", 5001, datetime.now(UTC))
    try:
        answers = asyncio.run(_ask(port, ["/healthz", "/metrics", f"/c/{page_token}"]))
    finally:
        process.terminate()
        _, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    health, scrape, page = answers
    assert health[0] == 200
    assert isinstance(health[1], dict)
    assert health[1]["role"] == "web"
    assert scrape[0] == 200
    assert 'supportdesk_process_info{role="web"}' in str(scrape[1])
    assert "supportdesk_updates_total" not in str(scrape[1])
    assert page[0] == 403  # manager 5001 of nothing in this database
    entries = [json.loads(line) for line in err.splitlines()]  # every line is JSON
    assert any(e["message"].startswith("client page on 127.0.0.1:") for e in entries)
    access = [e for e in entries if e["logger"] == "bot.web.server" or "GET /c/" in e["message"]]
    assert any(f"/c/{page_token[:8]}…" in e["message"] for e in access)
    assert page_token not in err
    probes = [e for e in entries if "GET /healthz" in e["message"]]
    assert probes
    assert {e["level"] for e in probes} == {"DEBUG"}


async def _ask(port: int, paths: list[str]) -> list[tuple[int, object]]:
    base = f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession() as session:
        for _ in range(600):  # the process starts (imports, the database)
            try:
                async with session.get(base + "/healthz"):
                    break
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.05)
        found: list[tuple[int, object]] = []
        for path in paths:
            async with session.get(base + path) as response:
                body = await response.text()
                is_json = response.content_type == "application/json"
                found.append((response.status, json.loads(body) if is_json else body))
        return found
