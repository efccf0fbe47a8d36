"""SLA-operations storage on SQLite and PostgreSQL: claims hold once, terms and
managers follow the config, report files stay with their client."""

from __future__ import annotations

from bot.services.config import apply_config
from desk.config import DeskConfig
from desk.terms import ContractTerms, ReportSchedule
from storage.uow import UnitOfWorkFactory
from tests.storage.tickets import NOW, new_ticket_id


async def test_an_alert_is_claimed_once_even_in_a_later_transaction(
    demo_uow_factory: UnitOfWorkFactory,
) -> None:
    ticket_id = await new_ticket_id(demo_uow_factory)
    async with demo_uow_factory() as uow:
        assert await uow.ops.claim_alert(ticket_id, "reaction:warn", NOW)
        assert not await uow.ops.claim_alert(ticket_id, "reaction:warn", NOW)
    async with demo_uow_factory() as uow:
        assert not await uow.ops.claim_alert(ticket_id, "reaction:warn", NOW)
        assert await uow.ops.claim_alert(ticket_id, "reaction:breach", NOW)
        assert await uow.ops.sent_keys(ticket_id) == {"reaction:warn", "reaction:breach"}


async def test_a_claim_rolled_back_with_its_transaction_can_be_made_again(
    demo_uow_factory: UnitOfWorkFactory,
) -> None:
    """A pass that fails after claiming sends nothing, and the next pass sends the alert."""
    ticket_id = await new_ticket_id(demo_uow_factory)
    try:
        async with demo_uow_factory() as uow:
            assert await uow.ops.claim_alert(ticket_id, "reaction:warn", NOW)
            raise RuntimeError("the outbox write failed")
    except RuntimeError:
        pass
    async with demo_uow_factory() as uow:
        assert await uow.ops.claim_alert(ticket_id, "reaction:warn", NOW)


async def test_a_report_period_is_claimed_once_per_client(
    demo_uow_factory: UnitOfWorkFactory,
) -> None:
    async with demo_uow_factory() as uow:
        assert await uow.report_files.claim_report("DEMO", "2026-11", NOW)
    async with demo_uow_factory() as uow:
        assert not await uow.report_files.claim_report("DEMO", "2026-11", NOW)
        assert await uow.report_files.claim_report("DEMO", "2026-W47", NOW)


async def test_terms_and_managers_follow_the_config_each_time_it_is_applied(
    demo_uow_factory: UnitOfWorkFactory, demo_config: DeskConfig
) -> None:
    weekly = ContractTerms(reports=ReportSchedule(weekly=True))
    first = DeskConfig(**{**demo_config.__dict__, "terms": {"demo": weekly},
                          "managers": {"DEMO": (5002, 5001)}})  # fmt: skip
    async with demo_uow_factory() as uow:
        assert await apply_config(uow, first, source="first", now=NOW)
        assert await apply_config(uow, first, source="first", now=NOW) == []  # idempotent
    async with demo_uow_factory() as uow:
        assert (await uow.ops.terms_of("demo")).reports.weekly
        assert (await uow.ops.client_terms())["DEMO"] == weekly
        assert await uow.ops.managers_of("DEMO") == [5001, 5002]
        assert await uow.ops.managed_by(5002) == ["DEMO"]
        await apply_config(uow, demo_config, source="demo", now=NOW)  # back to the demo's
    async with demo_uow_factory() as uow:
        assert await uow.ops.terms_of("demo") == ContractTerms()
        assert await uow.ops.managed_by(5002) == []
        assert await uow.ops.managers_of("DEMO") == list(demo_config.managers["DEMO"])


async def test_a_report_file_is_read_back_only_for_its_client(
    demo_uow_factory: UnitOfWorkFactory,
) -> None:
    async with demo_uow_factory() as uow:
        file_id = await uow.report_files.save_report_file(
            "DEMO", "2026-11", "xlsx", "sla-DEMO-2026-11.xlsx", b"PK\x03\x04", NOW
        )
    async with demo_uow_factory() as uow:
        found = await uow.report_files.report_content(file_id, "DEMO")
        assert found is not None
        assert found[1] == b"PK\x03\x04"
        assert found[0].filename == "sla-DEMO-2026-11.xlsx"
        assert await uow.report_files.report_content(file_id, "ROGA") is None
        assert [f.id for f in await uow.report_files.report_files("DEMO")] == [file_id]
