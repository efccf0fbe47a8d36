"""What an operator sees of the running bot: /healthz, /readyz and /metrics
counting what really happened (a FAQ step, a registration, 429s and a 5xx
retried, a row given up), and JSON log lines naming the update and the ticket,
with no token in them.  The real bot, the sandbox, a real database.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from bot.compose import App
from bot.logs import JsonFormatter, Scrubber
from sandbox.server import SandboxHandle
from tests.e2e.conftest import Product
from tests.e2e.desk import STAFF_CHAT, USER, Desk, free_port

QUESTION = "Не закрывается месяц, ошибка при расчете себестоимости"  # the test FAQ answers it

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def _scrape(session: aiohttp.ClientSession, base: str) -> Samples:
    async with session.get(base + "/metrics") as response:
        assert response.status == 200
        text = await response.text()
    found: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return found


def _value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def _total(samples: Samples, name: str) -> float:
    return sum(v for (n, _), v in samples.items() if n == name)


class Lines(logging.Handler):
    """The JSON lines the product would write, kept for the test."""

    def __init__(self, scrub: Scrubber) -> None:
        super().__init__(logging.INFO)
        self.setFormatter(JsonFormatter(scrub))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def desk(seeded_sandbox: SandboxHandle) -> Desk:
    """The sandbox as people see it (each test runs the product itself)."""
    return Desk(seeded_sandbox)


@pytest.fixture
async def running(
    seeded_sandbox: SandboxHandle, product: Product, caplog: pytest.LogCaptureFixture
) -> AsyncIterator[tuple[App, str, Lines]]:
    """The bot with its health and metrics on a port of their own (no client page)."""
    port = free_port()
    settings = product.settings.model_copy(update={"ops_port": port, "web_host": "127.0.0.1"})
    lines = Lines(Scrubber.of(settings))
    caplog.set_level(logging.INFO)
    logging.getLogger().addHandler(lines)
    try:
        async with product.run(settings) as app:
            yield app, f"http://127.0.0.1:{port}", lines
    finally:
        logging.getLogger().removeHandler(lines)


async def test_the_running_bot_counts_what_happened_and_says_it_is_ready(
    desk: Desk, running: tuple[App, str, Lines], seeded_sandbox: SandboxHandle
) -> None:
    app, base, lines = running
    async with aiohttp.ClientSession() as session:

        async def answering() -> bool:
            try:
                async with session.get(base + "/healthz") as response:
                    return response.status == 200
            except aiohttp.ClientConnectionError:
                return False

        await desk.until(answering, "the health endpoint")
        before = await _scrape(session, base)

        await desk.control.add_fault("sendMessage", "429", count=2, chat_id=USER, retry_after=1)
        await desk.control.add_fault("sendMessage", "5xx", count=1, chat_id=STAFF_CHAT)
        first = await desk.say(USER, USER, QUESTION)
        offer = await desk.bot_says(USER, "уже есть ответ", after=first)
        await desk.press(USER, USER, offer, "Не то")
        confirmation = await desk.bot_says(USER, "зарегистрирована", after=first)
        topic = await desk.topic_of("DEMO-1")
        await desk.bot_says(STAFF_CHAT, "DEMO-1", thread_id=topic["message_thread_id"])

        await desk.control.add_fault("sendMessage", "400", count=1, chat_id=USER)
        await desk.say(USER, USER, "/help")  # its answer is refused for good
        await desk.say(USER, USER, "/help")
        await desk.bot_says(USER, "", after=confirmation["message_id"])

        def grown(now: Samples) -> dict[str, float]:
            return {
                "messages": _value(now, "supportdesk_updates_total", type="message",
                                   outcome="handled")
                - _value(before, "supportdesk_updates_total", type="message", outcome="handled"),
                "presses": _value(now, "supportdesk_updates_total", type="callback_query",
                                  outcome="handled")
                - _value(before, "supportdesk_updates_total", type="callback_query",
                         outcome="handled"),
                "timed": _value(now, "supportdesk_update_seconds_count", type="message")
                - _value(before, "supportdesk_update_seconds_count", type="message"),
                "tickets": _total(now, "supportdesk_tickets_registered_total")
                - _total(before, "supportdesk_tickets_registered_total"),
                "shown": _value(now, "supportdesk_faq_total", outcome="shown")
                - _value(before, "supportdesk_faq_total", outcome="shown"),
                "not_it": _value(now, "supportdesk_faq_total", outcome="not_it")
                - _value(before, "supportdesk_faq_total", outcome="not_it"),
                "sent": _total(now, "supportdesk_outbox_sent_total")
                - _total(before, "supportdesk_outbox_sent_total"),
                "failed": _value(now, "supportdesk_outbox_failed_total", kind="send")
                - _value(before, "supportdesk_outbox_failed_total", kind="send"),
                "429": _value(now, "supportdesk_outbox_retries_total", reason="429")
                - _value(before, "supportdesk_outbox_retries_total", reason="429"),
                "server": _value(now, "supportdesk_outbox_retries_total", reason="server")
                - _value(before, "supportdesk_outbox_retries_total", reason="server"),
                "api_429": _value(now, "supportdesk_api_429_total", method="sendMessage")
                - _value(before, "supportdesk_api_429_total", method="sendMessage"),
            }  # fmt: skip

        async def counted() -> dict[str, float] | None:
            now = await _scrape(session, base)
            found = grown(now)
            done = found["failed"] >= 1 and found["sent"] >= 5 and found["messages"] >= 3
            return found if done else None

        found = await desk.until(counted, "the counts")
        assert found["messages"] == 3  # the question and two /help
        assert found["presses"] == 1
        assert found["timed"] == 3
        assert found["tickets"] == 1
        assert found["shown"] == 1
        assert found["not_it"] == 1
        assert found["failed"] == 1
        assert found["429"] == 2
        assert found["server"] == 1
        assert found["api_429"] == 2

        async with session.get(base + "/readyz") as response:
            ready = await response.json()
        assert response.status == 200, ready
        assert ready["checks"]["last_update"]["age_seconds"] is not None

    records = [json.loads(line) for line in lines.lines]  # every line is one JSON object
    created = [r for r in records if r["message"] == "ticket DEMO-1 created by user:1001"]
    assert len(created) == 1
    assert created[0]["ticket"] == "DEMO-1"
    assert isinstance(created[0]["update"], int)  # the press that registered it
    assert created[0]["logger"] == "bot.services.ticket_events"
    assert created[0]["level"] == "INFO"
    refused = [r for r in records if "failed" in r["message"] and r["logger"].endswith("sender")]
    assert refused
    assert all("ticket_id" not in r or isinstance(r["ticket_id"], int) for r in refused)
    everything = "\n".join(lines.lines)
    assert seeded_sandbox.token not in everything
    assert app.settings.bot_token is not None
    assert app.settings.bot_token.get_secret_value() not in everything


async def test_health_and_metrics_share_the_client_page_server(
    desk: Desk, seeded_sandbox: SandboxHandle, product: Product
) -> None:
    """With the client page served by the bot, the probes are on the page's port."""
    port = free_port()
    settings = product.settings.model_copy(
        update={
            "web_host": "127.0.0.1",
            "web_port": port,
            "web_base_url": f"http://127.0.0.1:{port}",
            "web_secret": SecretStr("a-long-enough-test-secret"),
            "web_in_bot": True,
        }
    )
    base = f"http://127.0.0.1:{port}"
    async with product.run(settings), aiohttp.ClientSession() as session:

        async def answer(path: str) -> Any:
            try:
                async with session.get(base + path) as response:
                    return response.status, await response.read()
            except aiohttp.ClientConnectionError:
                return None

        status, body = await desk.until(lambda: answer("/healthz"), "the page server")
        assert status == 200
        assert json.loads(body)["role"] == "bot"
        status, body = await answer("/readyz")
        assert status == 200
        status, body = await answer("/metrics")
        assert status == 200
        assert b'supportdesk_process_info{role="bot"}' in body
