"""Priority changes through the sandbox: a user's raise needs a reason, every change is
kept with who, when and why, the SLA follows the contract's basis, and the user's
older «Ответим …» message is brought up to date."""

from __future__ import annotations

from bot.compose import App
from desk.enums import Priority
from desk.terms import ContractTerms, SlaBasis, terms_to_json
from storage.tables import ContractTermsRow
from tests.e2e.desk import CONSULTANT, STAFF_CHAT, USER, Desk, Message, text_of

NO_FAQ = "Кассир не видит кнопку возврата в рабочем месте кассира"


async def _registered(desk: Desk) -> tuple[Message, int]:
    """A P3 request registered: the user's confirmation and the topic's thread id."""
    sent = await desk.say(USER, USER, NO_FAQ)
    confirmation = await desk.bot_says(USER, "зарегистрирована", after=sent)
    topic = await desk.topic_of("DEMO-1")
    await desk.bot_says(STAFF_CHAT, "DEMO-1", thread_id=topic["message_thread_id"])
    return confirmation, topic["message_thread_id"]


async def _raise_to_p1(desk: Desk, confirmation: Message) -> Message:
    """The user opens the picker and presses P1; the bot's question for a reason."""
    await desk.press(USER, USER, confirmation, "Изменить приоритет")
    picker = await desk.bot_says(USER, "Выберите приоритет", after=confirmation["message_id"])
    await desk.press(USER, USER, picker, "P1")
    return await desk.bot_says(USER, "напишите одной строкой", after=picker["message_id"])


async def test_a_users_raise_to_p1_waits_for_a_reason_shown_on_the_card_and_in_history(
    desk: Desk, desk_app: App
) -> None:
    """Pressing P1 changes nothing until the user writes why; then the ticket is P1, the
    card and /history show the reason, and the registration message shows the new terms."""
    confirmation, thread = await _registered(desk)
    card = await desk.bot_says(STAFF_CHAT, "DEMO-1", thread_id=thread)
    asked = await _raise_to_p1(desk, confirmation)
    async with desk_app.db.uow() as uow:
        assert (await uow.tickets.get("DEMO-1")).priority is Priority.MEDIUM

    reason = await desk.say(USER, USER, "Не работает у всех кассиров, очередь")
    told = await desk.bot_says(USER, "приоритет теперь", after=asked["message_id"])
    assert "P1" in text_of(told)
    assert "Ответим:" in text_of(told)
    async with desk_app.db.uow() as uow:
        ticket = await uow.tickets.get("DEMO-1")
        assert ticket.priority is Priority.CRITICAL
        assert ticket.initial_priority is Priority.MEDIUM
        assert ticket.sla is not None
        assert ticket.sla.reaction_target == 15
        events = [e for e in await uow.audit.for_ticket(ticket.id or 0) if e.what == "priority"]
        # the reason is not a follow-up of the ticket (nor a new request)
        assert await uow.messaging.link_of(USER, reason) is None
        assert await uow.tickets.open_of(USER) == [ticket]
    assert [(e.actor, e.old, e.new, e.reason) for e in events] == [
        (f"user:{USER}", "3", "1", "Не работает у всех кассиров, очередь")
    ]
    await desk.wait_for(
        STAFF_CHAT,
        lambda m: (
            m["message_id"] == card["message_id"]
            and "Причина приоритета: «Не работает у всех кассиров, очередь»" in text_of(m)
        ),
        thread_id=thread,
        what="the card showing the reason",
    )
    edited = await desk.wait_for(
        USER,
        lambda m: (
            m["message_id"] == confirmation["message_id"]
            and "Приоритет: P1 · критический (при регистрации — P3)" in text_of(m)
        ),
        what="the registration message edited to P1",
    )
    assert _line(edited, "Ответим:") == _line(told, "Ответим:") != _line(confirmation, "Ответим:")
    asked_history = await desk.say(CONSULTANT, STAFF_CHAT, "/history", message_thread_id=thread)
    history = await desk.bot_says(STAFF_CHAT, "История DEMO-1", after=asked_history)
    assert "Не работает у всех кассиров, очередь" in text_of(history)


async def test_a_users_lowering_needs_no_reason(desk: Desk, desk_app: App) -> None:
    """Lowering to P4 is done at the press: no question is asked."""
    confirmation, _ = await _registered(desk)
    await desk.press(USER, USER, confirmation, "Изменить приоритет")
    picker = await desk.bot_says(USER, "Выберите приоритет", after=confirmation["message_id"])
    await desk.press(USER, USER, picker, "P4")
    told = await desk.bot_says(USER, "приоритет теперь", after=picker["message_id"])
    assert "P4" in text_of(told)
    async with desk_app.db.uow() as uow:
        assert (await uow.tickets.get("DEMO-1")).priority is Priority.LOW


async def test_a_p1_lowered_by_staff_stays_measured_as_p1_by_default(
    desk: Desk, desk_app: App
) -> None:
    """/priority 2 with a reason on a P1 ticket: the ticket is P2, but the SLA keeps P1's
    targets; the user is told why and that the terms are counted by P1."""
    confirmation, thread = await _registered(desk)
    await desk.say(CONSULTANT, STAFF_CHAT, "/priority 1", message_thread_id=thread)
    raised = await desk.bot_says(USER, "приоритет теперь", after=confirmation["message_id"])
    reason = "/priority 2 работает у всех, кроме склада"
    await desk.say(CONSULTANT, STAFF_CHAT, reason, message_thread_id=thread)
    lowered = await desk.bot_says(USER, "приоритет теперь P2", after=raised["message_id"])
    assert "Причина: работает у всех, кроме склада" in text_of(lowered)
    assert "считаются по приоритету P1" in text_of(lowered)
    async with desk_app.db.uow() as uow:
        ticket = await uow.tickets.get("DEMO-1")
    assert ticket.priority is Priority.HIGH
    assert ticket.lowered
    assert ticket.sla is not None
    assert (ticket.sla.reaction_target, ticket.sla.resolution_target) == (15, 30)


async def test_a_contract_measuring_the_final_priority_moves_the_targets(
    desk: Desk, desk_app: App
) -> None:
    """With ``measure = "final"`` the same lowering gives the ticket P2's targets."""
    async with desk_app.db.uow() as uow:
        contract = (await uow.directory.client("DEMO")).contract
        terms = terms_to_json(ContractTerms(sla_basis=SlaBasis.FINAL))
        await uow.session.merge(ContractTermsRow(contract=contract, terms=terms))
    confirmation, thread = await _registered(desk)
    await desk.say(CONSULTANT, STAFF_CHAT, "/priority 1", message_thread_id=thread)
    raised = await desk.bot_says(USER, "приоритет теперь", after=confirmation["message_id"])
    await desk.say(CONSULTANT, STAFF_CHAT, "/priority 2", message_thread_id=thread)
    lowered = await desk.bot_says(USER, "приоритет теперь P2", after=raised["message_id"])
    assert "считаются по приоритету" not in text_of(lowered)
    async with desk_app.db.uow() as uow:
        ticket = await uow.tickets.get("DEMO-1")
    assert ticket.sla is not None
    assert (ticket.sla.reaction_target, ticket.sla.resolution_target) == (30, 240)


def _line(message: Message, start: str) -> str:
    return next(line for line in text_of(message).splitlines() if line.startswith(start))


async def test_an_outage_guessed_p1_is_registered_without_the_faq_step(
    desk: Desk, desk_app: App
) -> None:
    """«никто не может зайти в базу, база заблокирована» matches an FAQ entry, but it
    reads as an outage: the ticket is registered at once as P1, with no suggestions."""
    sent = await desk.say(
        USER, USER, "С утра никто не может зайти в базу, пишет база заблокирована"
    )
    first = await desk.wait_for(USER, lambda m: m["from"]["is_bot"], after=sent)
    assert "зарегистрирована" in text_of(first)
    assert "P1 · критический" in text_of(first)
    async with desk_app.db.uow() as uow:
        assert (await uow.tickets.get("DEMO-1")).priority is Priority.CRITICAL
