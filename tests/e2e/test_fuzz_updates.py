"""Generated updates of every kind through the real product (``bench/fuzz.py``): no
unhandled exception, no row left inconsistent, no message to a chat that should not get
one. The long run is ``make bench ARGS=bench_fuzz`` (10,000+ updates); here a few
hundred, and the checker shown to catch what it must, and the bugs the fuzz found
kept fixed."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bench.fuzz import (
    DEMO_USERS,
    MAX_DEMO,
    STAFF_CHAT,
    URAL_USERS,
    Group,
    Max,
    Press,
    Private,
    World,
    check,
    run,
)
from desk.channels import max_key
from storage.tables import AuditEventRow, OutboxRow, TicketRow, TicketTopicRow

# aiogram warns of an update type it does not know (the fuzz sends some): not an error
UNKNOWN_TYPE = "ignore:Detected unknown update type:RuntimeWarning"


@pytest.mark.slow
@pytest.mark.filterwarnings(UNKNOWN_TYPE)
def test_a_few_hundred_generated_updates_leave_nothing_broken(tmp_path: Path) -> None:
    outcome = run(tmp_path, updates=400, seed=17, per_round=60)
    print(outcome.figures)
    assert outcome.updates >= 400
    assert not outcome.errors, "\n".join([*outcome.errors[:10], *outcome.culprits[:5]])
    assert not outcome.findings.problems, "\n".join(outcome.findings.problems[:20])
    assert not outcome.strangers, outcome.strangers
    assert outcome.findings.rows["tickets"] > 0
    assert outcome.findings.rows["outbox"] > 0


async def _ticket_of(world: World, requester: int) -> TicketRow:
    async with world.app.db.uow() as uow:
        found = await uow.session.scalars(
            select(TicketRow).where(TicketRow.requester_id == requester).order_by(TicketRow.id)
        )
        return next(iter(found))


async def test_the_checker_finds_a_leak_a_stray_owner_and_a_broken_audit_chain(
    tmp_path: Path,
) -> None:
    """The checker is honest: a row that tells a URAL user about a DEMO ticket, one that
    tells a DEMO user about their colleague's ticket, a ticket owned by someone who is
    not staff, a changed audit event: each is found."""
    async with World.running(tmp_path) as world:
        await world.setup()
        assert (await check(world)).problems == []
        demo = await _ticket_of(world, DEMO_USERS[0])
        async with world.app.db.uow() as uow:
            uow.outbox.enqueue(URAL_USERS[0], "send", {"text": f"Ваша заявка {demo.number}"})
            uow.outbox.enqueue(URAL_USERS[1], "send", {"text": "карточка"}, ticket_id=demo.id)
            uow.outbox.enqueue(DEMO_USERS[1], "send", {"text": "ответ"}, ticket_id=demo.id)
            await uow.session.execute(
                update(TicketRow).where(TicketRow.id == demo.id).values(owner_id=2101)
            )
            await uow.session.execute(
                update(AuditEventRow).where(AuditEventRow.id == 3).values(new="подменено")
            )
        found = await check(world)
    text = "\n".join(found.problems)
    assert f"names {demo.number} of another client" in text
    assert f"about {demo.number} of another client" in text
    assert f"to {DEMO_USERS[1]}: about {demo.number}, another user's" in text
    assert f"{demo.number}: owner 2101 is not staff of team demo" in text
    assert "the audit chain does not verify" in text


async def test_a_lone_surrogate_or_a_nul_in_a_request_is_read_and_registered(
    tmp_path: Path, migrated_url: str
) -> None:
    """JSON may carry an unpaired surrogate or a NUL: the first failed every write of its
    update, the second every write on PostgreSQL (the request lost as an error). Both
    are read as U+FFFD now: the requests register, nothing fails."""
    async with World.running(tmp_path, migrated_url) as world:
        await world.play(Private(DEMO_USERS[0], {"text": "/start demo"}))
        await world.play(Private(DEMO_USERS[0], {"text": "Не проводится\ud800 реализация"}))
        await world.play(Private(DEMO_USERS[1], {"text": "/start demo"}))
        await world.play(Private(DEMO_USERS[1], {"text": "Не печатается\x00 накладная"}))
        await world.play(Max("bot_started", MAX_DEMO, payload="demo"))
        await world.play(Max("message_created", MAX_DEMO, text="Не печатает\udfff принтер"))
        assert world.tally.errors == []
        async with world.app.db.uow() as uow:
            texts = list(await uow.session.scalars(select(TicketRow.text)))
        assert set(texts) == {
            "Не печатает\ufffd принтер",
            "Не печатается\ufffd накладная",
            "Не проводится\ufffd реализация",
        }
        assert (await check(world)).problems == []


async def test_a_press_telegram_no_longer_takes_an_answer_for_still_counts(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A press delivered again after a restart is too old to answer: its work must stand
    (the failed answer once rolled the whole update back, as an error)."""
    caplog.set_level(logging.WARNING, logger="bot.session")
    async with World.running(tmp_path) as world:
        await world.play(Private(DEMO_USERS[0], {"text": "/start demo"}))
        await world.play(Private(DEMO_USERS[0], {"text": "Не проводится реализация"}))
        ticket = await _ticket_of(world, DEMO_USERS[0])
        raw = world._press(Press(DEMO_USERS[0], 0, f"u:{ticket.id}:setc:consultation", 0))
        assert raw is not None
        world.handle.sandbox.state.callbacks[raw["callback_query"]["id"]].answered = True
        await world._feed_telegram([raw])
        assert world.tally.errors == []
        assert (await _ticket_of(world, DEMO_USERS[0])).category == "consultation"
    assert "not answered" in caplog.text


async def test_a_max_file_that_cannot_be_fetched_fails_alone(tmp_path: Path) -> None:
    """A MAX user's file whose download URL is gone (404): its row fails and the staff
    group's lane goes on. Its fetch error once killed the lane, which started again on
    the same row forever: no card or message reached the group after it."""
    async with World.running(tmp_path) as world:
        await world.play(Max("bot_started", MAX_DEMO, payload="demo"))
        await world.play(Max("message_created", MAX_DEMO, text="Не проводится реализация"))
        await world.play(Max("message_created", MAX_DEMO, text="", attachment="image"))
        await world.play(Private(DEMO_USERS[1], {"text": "/start demo"}))
        await world.play(Private(DEMO_USERS[1], {"text": "Принтер печатает пустые листы"}))
        await world.settle()
        async with world.app.db.uow() as uow:
            rows = list(await uow.session.scalars(select(OutboxRow).order_by(OutboxRow.id)))
            topics = list(await uow.session.scalars(select(TicketTopicRow)))
        carried = [r for r in rows if r.kind == "carry"]
        assert [r.state for r in carried] == ["failed"]
        assert "404" in (carried[0].error or "")
        assert len(topics) == 2  # the second request's topic came after the failed file
        group = [r for r in rows if r.chat_id == STAFF_CHAT]
        assert [r.state for r in group if r.id > carried[0].id] != []
        assert all(r.state != "pending" for r in group)
        told = [r for r in rows if r.chat_id == max_key(MAX_DEMO) and r.id > carried[0].id]
        assert told, "the user hears that their file did not reach the desk"
        assert world.tally.errors == []


async def test_a_long_answer_reaches_a_max_user_in_pieces_maxapi_takes(tmp_path: Path) -> None:
    """A consultant's answer of Telegram's full length (4096, no line breaks) goes to a
    MAX user in pieces: maxapi takes fewer than 4000 characters, and a piece of exactly
    4000 was refused by it before sending (a ValueError that ended the chat's lane)."""
    async with World.running(tmp_path) as world:
        await world.play(Max("bot_started", MAX_DEMO, payload="demo"))
        await world.play(Max("message_created", MAX_DEMO, text="Не проводится реализация"))
        thread = world.handle.sandbox.state.chat_topics(STAFF_CHAT)[0].message_thread_id
        await world.play(Group(2001, STAFF_CHAT, "thread", thread, {"text": "Я" * 4096}))
        await world.settle()
        async with world.app.db.uow() as uow:
            rows = list(
                await uow.session.scalars(
                    select(OutboxRow).where(OutboxRow.chat_id == max_key(MAX_DEMO))
                )
            )
        assert [r.state for r in rows] == ["sent"] * len(rows)
        dialog = world.handle.sandbox.max.state.dialog(MAX_DEMO)
        said = "".join(str(m.message["body"].get("text") or "") for m in dialog if m.from_bot)
        assert "Я" * 3999 in said
        assert said.count("Я") >= 4096  # nothing lost
        assert world.tally.errors == []
