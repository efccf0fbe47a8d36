"""Counting where it happens, once it is true (``bot.metrics``), on both databases:
a ticket counts once its transaction commits, an SLA alert once its pass
commits it (and a second watcher counts nothing again), each with a log line
naming the ticket.
"""

from __future__ import annotations

import logging

import pytest

from bot import metrics
from bot.services.tickets import TicketService
from desk.enums import Category, Priority
from storage.uow import UnitOfWorkFactory
from tests.bot.test_watcher import FakeClock, _create, msk, watcher


def _count(name: str, **labels: str) -> float:
    """A counter's value as a scrape of the bot's process would show it."""
    return metrics.registry("bot").get_sample_value(f"{name}_total", labels) or 0.0


TICKETS, SLA = "supportdesk_tickets_registered", "supportdesk_sla_alerts"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(msk(5, 10, 0))  # Tuesday 5 May 2026, a working day


@pytest.fixture
def service(clock: FakeClock) -> TicketService:
    return TicketService(now=clock)


async def test_a_ticket_counts_once_committed_and_not_when_rolled_back(
    demo_uow_factory: UnitOfWorkFactory, service: TicketService
) -> None:
    before = _count(TICKETS, priority="3")

    async def registered_then_failed() -> None:
        async with demo_uow_factory() as uow:
            await service.create_ticket(
                uow,
                requester_id=1001,
                subject="Не проводится реализация",
                text="Не проводится реализация: ошибка при записи",
                priority=Priority.MEDIUM,
                category=Category.INCIDENT,
            )
            raise RuntimeError("the update's handler failed later")

    with pytest.raises(RuntimeError):
        await registered_then_failed()
    assert _count(TICKETS, priority="3") == before
    await _create(demo_uow_factory, service)  # P3
    assert _count(TICKETS, priority="3") == before + 1


async def test_sla_alerts_count_once_with_a_line_naming_the_ticket(
    demo_uow_factory: UnitOfWorkFactory,
    service: TicketService,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="bot.jobs.watcher")
    warned, breached = _count(SLA, kind="warn"), _count(SLA, kind="breach")
    ticket = await _create(demo_uow_factory, service)
    w = watcher(demo_uow_factory, service)
    assert (await w.run_pass(msk(5, 10, 46))).alerts == 1
    assert (await w.run_pass(msk(5, 11, 2))).alerts == 1
    assert (await watcher(demo_uow_factory, service).run_pass(msk(5, 11, 5))).alerts == 0
    assert _count(SLA, kind="warn") == warned + 1
    assert _count(SLA, kind="breach") == breached + 1
    lines = [r for r in caplog.records if r.name == "bot.jobs.watcher"]
    assert [r.getMessage() for r in lines] == [
        f"SLA warn of {ticket.number}",
        f"SLA breach of {ticket.number}",
    ]
    assert all(getattr(r, "ticket", None) == ticket.number for r in lines)
