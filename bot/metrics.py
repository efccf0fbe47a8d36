"""What the product counts, for Prometheus (``GET /metrics``, ``bot.web.ops``).

Counted where it happens, and only once it is true: an update after its
transaction, a delivery after it is recorded, a ticket, a FAQ answer or an SLA
alert after the transaction that made it committed (``storage.hooks``).  A
count is a ``prometheus-client`` counter in this process's memory: an
increment is a lock and an addition, nothing the hot path can feel, and
nothing is written anywhere until Prometheus scrapes.

Each process shows what *it* did (``ROLES``):

- ``bot`` (``supportdesk run``, the demo): everything below;
- ``web`` (``supportdesk web``, the client page in a process of its own):
  tickets it registered (monitoring alerts), and what it reads from the
  database at the scrape — it handles no updates and sends nothing, so it
  shows no such counters at all rather than zeros.

What the database says (outbox backlog, the oldest pending row, the last
update processed) is read at each scrape (``DatabaseState``), so every process
and every instance shows the same figures for it.

Only ``bot`` modules import this (it loads ``prometheus_client``); the CLI's
light commands never do (``tests/bot/test_cli_light.py``).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Literal

from prometheus_client import (
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    Counter,
    Histogram,
)
from prometheus_client.exposition import choose_encoder
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from storage.hooks import after_commit
from storage.uow import Session

Role = Literal["bot", "web"]
ROLES: tuple[Role, ...] = ("bot", "web")

_SECONDS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

# -- counted by the bot -------------------------------------------------------------

UPDATES = Counter(
    "supportdesk_updates",
    "Updates taken in, by type; outcome: handled (committed), unhandled (no handler, "
    "claim committed), duplicate (a re-delivery, skipped), failed (rolled back, retried)",
    ["type", "outcome"],
    registry=None,
)
UPDATE_SECONDS = Histogram(
    "supportdesk_update_seconds",
    "Time to handle one update, claim and commit included, by type",
    ["type"],
    buckets=_SECONDS,
    registry=None,
)
FAQ = Counter(
    "supportdesk_faq",
    "FAQ steps: shown (answers offered instead of registering at once), helped (the user "
    "said an answer helped), not_it (the user said none did: registered)",
    ["outcome"],
    registry=None,
)
OUTBOX_SENT = Counter(
    "supportdesk_outbox_sent", "Outbox rows delivered, by kind", ["kind"], registry=None
)
OUTBOX_FAILED = Counter(
    "supportdesk_outbox_failed", "Outbox rows given up for good, by kind", ["kind"], registry=None
)
OUTBOX_RETRIES = Counter(
    "supportdesk_outbox_retries",
    "Outbox deliveries put off to try again; reason: 429 (flood control), server (5xx), "
    "network, timeout",
    ["reason"],
    registry=None,
)
OUTBOX_SECONDS = Histogram(
    "supportdesk_outbox_send_seconds",
    "Time of one delivery's API calls (the rate limiter's wait included), by kind",
    ["kind"],
    buckets=_SECONDS,
    registry=None,
)
TOO_MANY = Counter(
    "supportdesk_api_429",
    "429 Too Many Requests answered by Telegram or MAX to any call (outbox or not), by method",
    ["method"],
    registry=None,
)
SLA_ALERTS = Counter(
    "supportdesk_sla_alerts",
    "SLA watcher alerts committed; kind: warn, breach, remind (waiting for the user), "
    "resolve (auto-resolved after waiting)",
    ["kind"],
    registry=None,
)

# -- counted by any process that registers tickets ----------------------------------

TICKETS = Counter(
    "supportdesk_tickets_registered",
    "Tickets registered (committed), by priority at registration",
    ["priority"],
    registry=None,
)


# -- hot-path helpers ----------------------------------------------------------------


def update_done(kind: str, outcome: str, seconds: float) -> None:
    UPDATES.labels(kind, outcome).inc()
    UPDATE_SECONDS.labels(kind).observe(seconds)


def ticket_registered(session: Session, priority: int) -> None:
    """Count a ticket once the transaction that registers it commits."""
    after_commit(session, TICKETS.labels(str(priority)).inc)


def faq(session: Session, outcome: Literal["shown", "helped", "not_it"]) -> None:
    """Count a FAQ step once its transaction commits."""
    after_commit(session, FAQ.labels(outcome).inc)


def sla_alerts(kinds: Iterable[str]) -> None:
    for kind in kinds:
        SLA_ALERTS.labels(kind).inc()


# -- read from the database at the scrape -------------------------------------------


@dataclass(frozen=True)
class DatabaseState:
    """What the database says, read for one scrape (``bot.web.ops``)."""

    outbox_pending: int
    outbox_oldest_age: float  # seconds; 0 with nothing pending
    last_update_age: float | None  # seconds; None: no update claim kept (48 h)


class _FromDatabase(Collector):
    """The last ``DatabaseState`` read, as gauges (nothing before the first read)."""

    def __init__(self) -> None:
        self.state: DatabaseState | None = None

    def collect(self) -> Iterator[Metric]:
        state = self.state
        yield GaugeMetricFamily(
            "supportdesk_database_up",
            "1 if the database answered this scrape's read in time, else 0",
            value=0 if state is None else 1,
        )
        if state is None:
            return
        yield GaugeMetricFamily(
            "supportdesk_outbox_pending",
            "Outbox rows not sent yet (due or waiting to retry), read from the database",
            value=state.outbox_pending,
        )
        yield GaugeMetricFamily(
            "supportdesk_outbox_oldest_pending_age_seconds",
            "Age of the oldest pending outbox row (0: none pending), read from the database",
            value=state.outbox_oldest_age,
        )
        if state.last_update_age is not None:
            yield GaugeMetricFamily(
                "supportdesk_last_update_age_seconds",
                "Seconds since the last update was processed by any instance (its claim)",
                value=state.last_update_age,
            )


DATABASE = _FromDatabase()


class _Role(Collector):
    def __init__(self, role: Role) -> None:
        self.role = role
        self.started = time.time()

    def collect(self) -> Iterator[Metric]:
        family = GaugeMetricFamily(
            "supportdesk_process_info",
            "Which supportdesk process this is (bot: supportdesk run / demo; web: "
            "supportdesk web) and when it started (the value, Unix time)",
            labels=["role"],
        )
        family.add_metric([self.role], self.started)
        yield family


_BY_ROLE: dict[Role, tuple[Collector, ...]] = {
    "bot": (
        UPDATES,
        UPDATE_SECONDS,
        TICKETS,
        FAQ,
        OUTBOX_SENT,
        OUTBOX_FAILED,
        OUTBOX_RETRIES,
        OUTBOX_SECONDS,
        TOO_MANY,
        SLA_ALERTS,
    ),
    "web": (TICKETS,),
}


@cache
def registry(role: Role) -> CollectorRegistry:
    """What a process of ``role`` exposes (its counters, the database's gauges,
    and the process's own: CPU, memory, open files, garbage collection)."""
    found = CollectorRegistry(auto_describe=True)
    for collector in (*_BY_ROLE[role], DATABASE, _Role(role)):
        found.register(collector)
    for standard in (PROCESS_COLLECTOR, PLATFORM_COLLECTOR, GC_COLLECTOR):
        found.register(standard)
    return found


def exposition(role: Role, state: DatabaseState | None, accept: str = "") -> tuple[bytes, str]:
    """The scrape's body and content type (Prometheus text, or OpenMetrics when asked)."""
    DATABASE.state = state
    encoder, content_type = choose_encoder(accept)
    return encoder(registry(role)), content_type
