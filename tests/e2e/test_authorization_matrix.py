"""Who may do what (issue 17): every action × every role, from one table (``ACTIONS``).

Each action is done by each role against the real product (``bench/fuzz.World``: the
product composed as in production, its sender delivering to the sandbox, updates fed
to the real dispatcher as Telegram would deliver them); its effect is read from the
database, and the cell passes when the effect happened exactly for the roles the rule
allows. What an action needs (a ticket of A with its topic, a draft, a form, an
approval round...) is made fresh for each cell: through the product where that is
cheap, else through its services (``intake.register``, a reset of a user's open
tickets by the system). Every cell also checks that no unforeseen error was logged and
that no message since its start told anyone of a ticket of a client they do not
belong to; the last test runs the fuzz checker over the whole database.

Roles (``bench/fuzz.py``: the demo config, URAL with a manager, team «north»):
user_a 1001 and colleague_a 1002 of DEMO (client A), user_b 1101 of URAL (client B,
the same team X), manager_a 1003 and manager_b 1203 (not users of the bot),
consultant_x 2001 and engineer_x 2003 (line 2) of team X, consultant_y 2101 of team Y
(NORD), stranger 3001. Staff act in their team's group; consultant_y in team X's
group for a ticket's topic, in their own group for the group commands and buttons.

The client page and the alerts API have their own tables below: there the «role» is
what the request carries (a manager's signed link, an API key).
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from bench.fuzz import (
    DEMO_ALERT_KEY,
    NORTH_CHAT,
    STAFF_CHAT,
    URAL_ALERT_KEY,
    WEB_SECRET,
    Group,
    Press,
    Private,
    World,
    check,
    directory,
)
from bot.services import intake, survey
from bot.services.actors import Actor
from bot.services.incoming import Incoming
from bot.web.alerts import AlertDeps
from bot.web.app import make_web_app
from bot.web.guard import Guard, PageLimits
from bot.web.signing import LinkSigner
from desk.enums import Status
from desk.errors import IllegalTransition
from storage.tables import (
    AuditEventRow,
    DraftRow,
    OutboxRow,
    PairingCodeRow,
    ReportFileRow,
    SurveyAnswerRow,
    TicketRow,
    TicketTopicRow,
    UserRow,
)
from storage.tables.catalogue import ApprovalRow, FormDraftRow
from storage.tables.incidents import IncidentReportRow, MassIncidentRow

pytestmark = pytest.mark.asyncio(loop_scope="module")

ROLES: dict[str, int] = {
    "user_a": 1001,
    "colleague_a": 1002,
    "user_b": 1101,
    "manager_a": 1003,
    "manager_b": 1203,
    "consultant_x": 2001,
    "engineer_x": 2003,
    "consultant_y": 2101,
    "stranger": 3001,
}
USER_A, COLLEAGUE_A, USER_B = 1001, 1002, 1101
CONSULTANT_X, ENGINEER_X = 2001, 2003
OWNER = 2002  # Борис of team X owns every ticket a cell starts with
TEAM_X = frozenset({"consultant_x", "engineer_x"})
STAFF = TEAM_X | {"consultant_y"}
NOBODY: frozenset[str] = frozenset()
Ctx = dict[str, Any]


# -- the world the cells share ---------------------------------------------------------------


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    """The product with A's and B's users joined, a saved report of each client, a
    survey of A."""
    async with World.running(tmp_path_factory.mktemp("matrix")) as running:
        for person, code in ((USER_A, "demo"), (COLLEAGUE_A, "demo"), (USER_B, "ural")):
            await running.play(Private(person, {"text": f"/start {code}"}))
        for code in ("DEMO", "URAL"):
            await running.play(
                Group(CONSULTANT_X, STAFF_CHAT, "general", 0, {"text": f"/report {code}"})
            )
        async with running.app.db.uow() as uow:
            await survey.start(uow, "DEMO", datetime.now(UTC))
        await running.settle()
        yield running


# -- doing things ------------------------------------------------------------------------------


def group_of(role: str) -> int:
    """Where a role writes group commands and presses buttons: its team's group."""
    return NORTH_CHAT if role == "consultant_y" else STAFF_CHAT


async def private(world: World, role: str, text: str) -> None:
    await world.play(Private(ROLES[role], {"text": text}))


async def in_topic(world: World, role: str, ticket: TicketRow, body: dict[str, Any]) -> None:
    await world.play(Group(ROLES[role], STAFF_CHAT, "thread", await thread_of(world, ticket), body))


async def in_group(world: World, role: str, text: str) -> None:
    await world.play(Group(ROLES[role], group_of(role), "general", 0, {"text": text}))


async def press(world: World, role: str, data: str, *, group: bool = False) -> None:
    chat = group_of(role) if group else 0
    await world.play(Press(ROLES[role], chat, data, 0))


async def tap(world: World, person: int, label: str) -> None:
    """Press the button labelled ``label`` on the newest bot message in ``person``'s chat
    that has one (as the person would)."""
    for message in reversed(world.handle.sandbox.state.chat_messages(person)):
        rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
        for row in rows:
            for button in row:
                if label in button["text"] and button.get("callback_data"):
                    await world.play(Press(person, 0, button["callback_data"], 0))
                    return
    raise AssertionError(f"no button {label!r} in {person}'s chat")


# -- reading what happened ---------------------------------------------------------------------


@dataclass
class Mark:
    """Where the outbox and the audit trail stood when a cell began."""

    outbox: int
    audit: int


async def mark(world: World) -> Mark:
    async with world.app.db.uow() as uow:
        outbox = await uow.session.scalar(select(func.max(OutboxRow.id)))
        audit = await uow.session.scalar(select(func.max(AuditEventRow.id)))
    return Mark(outbox or 0, audit or 0)


async def sent_since(world: World, since: Mark, chat: int | None = None) -> list[OutboxRow]:
    async with world.app.db.uow() as uow:
        query = select(OutboxRow).where(OutboxRow.id > since.outbox).order_by(OutboxRow.id)
        if chat is not None:
            query = query.where(OutboxRow.chat_id == chat)
        return list(await uow.session.scalars(query))


def words(rows: list[OutboxRow]) -> str:
    return "\n".join(str(r.payload.get("text") or r.payload.get("caption") or "") for r in rows)


async def told(world: World, since: Mark, chat: int, part: str) -> bool:
    return part in words(await sent_since(world, since, chat))


async def ticket(world: World, ticket_id: int) -> TicketRow:
    async with world.app.db.uow() as uow:
        row = await uow.session.get(TicketRow, ticket_id)
        assert row is not None
        await uow.session.refresh(row)
        return row


async def thread_of(world: World, row: TicketRow) -> int:
    async with world.app.db.uow() as uow:
        thread = await uow.session.scalar(
            select(TicketTopicRow.thread_id).where(TicketTopicRow.ticket_id == row.id)
        )
    assert thread is not None, f"{row.number} has no topic"
    return int(thread)


async def scalar(world: World, query: Any) -> Any:
    async with world.app.db.uow() as uow:
        return await uow.session.scalar(query)


# -- what a cell needs, made fresh -------------------------------------------------------------


async def reset(world: World, person: int) -> None:
    """The user as new: no open ticket (cancelled by the system), no form, no draft
    waiting, nothing awaited; so their next message takes the plain path."""
    async with world.app.db.uow() as uow:
        while opened := await uow.tickets.open_of(person):
            for t in opened:
                assert t.id is not None
                try:
                    await world.app.tickets.change_status(
                        uow, t.id, Actor.system(), Status.CANCELLED
                    )
                except IllegalTransition:
                    await world.app.tickets.change_status(uow, t.id, Actor.system(), Status.CLOSED)
        await uow.catalogue.drop_form(person)
        await uow.drafts.stop_awaiting(person)
        for state in ("faq", "choose", "offer"):
            for draft in await uow.drafts.drafts_of(person, state):
                await uow.drafts.set_draft_state(draft.id, "done")
    await world.settle()


async def new_ticket(
    world: World, person: int, text: str = "Не проводится реализация"
) -> TicketRow:
    """A request of ``person`` registered (``intake.register``, as a message would be),
    its card and topic delivered; owned by Борис (2002, team X, no role here), so that a
    role taking it is a change."""
    sandbox = world.handle.sandbox
    chat = sandbox.state.chats[person]
    sender = world._person(person)
    message = world._post(chat, sender, {"text": text})
    msg = Incoming(
        chat_id=person, message_id=message["message_id"], user_id=person,
        first_name=sender["first_name"], username=None, text=text, html=html.escape(text),
    )  # fmt: skip
    async with world.app.db.uow() as uow:
        user = await uow.users.get(person)
        assert user is not None
        made = await intake.register(uow, world.app.tickets, user, msg, datetime.now(UTC))
        assert made.id is not None
        if made.client_code != "NORD":
            await world.app.tickets.assign(uow, made.id, Actor.system(), OWNER)
    world.app.sender.wake()
    await world.settle()
    return await ticket(world, made.id)


async def ticket_a(world: World) -> Ctx:
    return {"t": await new_ticket(world, USER_A)}


async def ticket_b(world: World) -> Ctx:
    return {"t": await new_ticket(world, USER_B, "Не печатается накладная")}


async def resolved_a(world: World) -> Ctx:
    made = await new_ticket(world, USER_A)
    await in_topic(world, "consultant_x", made, {"text": "/resolve Перезапустили службу"})
    row = await ticket(world, made.id)
    assert row.status == "resolved"
    return {"t": row}


async def faq_draft_a(world: World) -> Ctx:
    await reset(world, USER_A)
    await private(world, "user_a", "Не могу зайти в базу пишет база заблокирована")
    draft = await scalar(
        world,
        select(func.max(DraftRow.id)).where(DraftRow.user_id == USER_A, DraftRow.state == "faq"),
    )
    assert draft is not None, "the FAQ step did not start"
    return {"draft": draft}


async def pick_draft_a(world: World) -> Ctx:
    await reset(world, USER_A)
    await new_ticket(world, USER_A)
    await new_ticket(world, USER_A, "Не печатается счёт")
    await private(world, "user_a", "И ещё вопрос по отчёту о продажах")
    draft = await scalar(
        world,
        select(func.max(DraftRow.id)).where(DraftRow.user_id == USER_A, DraftRow.state == "choose"),
    )
    assert draft is not None, "the bot did not ask which ticket"
    return {"draft": draft}


async def incident_with_reports(world: World) -> Ctx:
    """A DEMO incident (colleague's ticket, declared by consultant_x) with a ticket of
    user_a linked to it as a report, and another DEMO ticket not linked."""
    incident = await new_ticket(world, COLLEAGUE_A, "Не работает 1С у всех")
    await in_topic(world, "consultant_x", incident, {"text": "/mass"})
    report = await new_ticket(world, USER_A, "Не открывается база")
    await in_topic(world, "consultant_x", incident, {"text": f"/link {report.number}"})
    linked = await scalar(
        world, select(IncidentReportRow.state).where(IncidentReportRow.report_id == report.id)
    )
    assert linked == "linked"
    spare = await new_ticket(world, COLLEAGUE_A, "Не формируется отчёт")
    return {"t": incident, "report": report, "spare": spare}


async def form_a(world: World) -> Ctx:
    await reset(world, USER_A)
    await private(world, "user_a", "/new")
    await tap(world, USER_A, "Доступ и права")
    async with world.app.db.uow() as uow:
        form = await uow.catalogue.form_of(USER_A)
    assert form is not None
    return {"form": form.id, "step": form.step}


async def approval_a(world: World) -> Ctx:
    """user_a's «Доступ и права» request sent: its approval round pending."""
    await form_a(world)
    for answer in (
        "Иванова Анна Сергеевна",
        None,
        "Бухгалтер",
        "15.03.2030",
        None,
        "Новая сотрудница",
    ):
        if answer is None:
            await tap(world, USER_A, "БП" if await _asks(world, "В какой базе") else "Пропустить")
        else:
            await private(world, "user_a", answer)
    await tap(world, USER_A, "Отправить")
    approval = await scalar(
        world, select(func.max(ApprovalRow.id)).where(ApprovalRow.state == "pending")
    )
    assert approval is not None, "no approval round pending"
    row = await scalar(world, select(ApprovalRow).where(ApprovalRow.id == approval))
    return {"approval": approval, "t": await ticket(world, row.ticket_id)}


async def _asks(world: World, part: str) -> bool:
    said = [
        str(m.get("text") or "")
        for m in world.handle.sandbox.state.chat_messages(USER_A)
        if m["from"].get("is_bot")
    ]
    return bool(said) and part in said[-1]


async def enhancement_a(world: World) -> Ctx:
    """user_a's «Доработка» registered: it waits for a functional design."""
    await reset(world, USER_A)
    await private(world, "user_a", "/new")
    await tap(world, USER_A, "Доработка")
    await private(world, "user_a", "Отчёт по остаткам с партиями")
    await private(world, "user_a", "Чтобы видеть партии на складе")
    await tap(world, USER_A, "Отправить")
    made = await scalar(
        world,
        select(func.max(TicketRow.id)).where(
            TicketRow.requester_id == USER_A, TicketRow.category == "enhancement"
        ),
    )
    assert made is not None, "the enhancement was not registered"
    return {"t": await ticket(world, made)}


async def engineer_note_a(world: World) -> Ctx:
    """A ticket of A taken by consultant_x, with a line-2 engineer's note in its topic."""
    made = await new_ticket(world, USER_A)
    await in_topic(world, "consultant_x", made, {"text": "/take"})
    await in_topic(world, "engineer_x", made, {"text": "Индексы перестроены, пусть проверят"})
    return {"t": made, "note": world.messages[-1]["message_id"]}


async def answer_a(world: World) -> Ctx:
    made = await new_ticket(world, USER_A)
    await in_topic(world, "consultant_x", made, {"text": "Проверьте настройки печати в профиле"})
    return {"t": made, "answer": world.messages[-1]["message_id"]}


async def nothing(world: World) -> Ctx:
    return {}


async def file_of(world: World, client: str) -> int:
    found = await scalar(
        world, select(func.max(ReportFileRow.id)).where(ReportFileRow.client_code == client)
    )
    assert found is not None
    return int(found)


# -- the table --------------------------------------------------------------------------------

Do = Callable[[World, str, Ctx], Awaitable[None]]
Done = Callable[[World, str, Ctx, Mark], Awaitable[bool]]


@dataclass(frozen=True)
class Action:
    name: str
    allowed: frozenset[str]
    needs: Callable[[World], Awaitable[Ctx]]
    do: Do
    done: Done
    note: str = ""


def _status(value: str) -> Done:
    async def done(world: World, role: str, ctx: Ctx, since: Mark) -> bool:
        return (await ticket(world, ctx["t"].id)).status == value

    return done


def _said(part: Callable[[Ctx], str]) -> Done:
    """The role's own chat was told ``part``."""

    async def done(world: World, role: str, ctx: Ctx, since: Mark) -> bool:
        return await told(world, since, ROLES[role], part(ctx))

    return done


def _topic_said(part: str) -> Done:
    async def done(world: World, role: str, ctx: Ctx, since: Mark) -> bool:
        return await told(world, since, STAFF_CHAT, part)

    return done


def _cmd(text: Callable[[Ctx], str]) -> Do:
    """A command typed in the ticket's topic (team X's group)."""

    async def do(world: World, role: str, ctx: Ctx) -> None:
        await in_topic(world, role, ctx["t"], {"text": text(ctx)})

    return do


def _card(action: str) -> Do:
    """A card's button: pressed in the role's team's group, naming ticket ``t``."""

    async def do(world: World, role: str, ctx: Ctx) -> None:
        value = "" if ":" in action else ":"  # StaffCb packs its empty value too
        await press(world, role, f"s:{ctx['t'].id}:{action}{value}", group=True)

    return do


def _tap(data: Callable[[Ctx], str]) -> Do:
    """A button in the role's private chat, with this data (forged, for whoever is not
    shown it)."""

    async def do(world: World, role: str, ctx: Ctx) -> None:
        await press(world, role, data(ctx))

    return do


def _say(text: str) -> Do:
    async def do(world: World, role: str, ctx: Ctx) -> None:
        await private(world, role, text)

    return do


async def _owner_is_role(world: World, role: str, ctx: Ctx, since: Mark) -> bool:
    return (await ticket(world, ctx["t"].id)).owner_id == ROLES[role]


async def _field(world: World, ctx: Ctx, name: str) -> Any:
    return getattr(await ticket(world, ctx["t"].id), name)


async def _reached_user_a(world: World, role: str, ctx: Ctx, since: Mark) -> bool:
    return any(r.kind in ("copy", "send", "carry") for r in await sent_since(world, since, USER_A))


async def _registered(world: World, role: str, ctx: Ctx, since: Mark) -> bool:
    """The person's message was taken as a user's: a ticket, a draft or a follow-up."""
    person = ROLES[role]
    tickets = await scalar(
        world, select(func.count(TicketRow.id)).where(TicketRow.requester_id == person)
    )
    drafts_made = await scalar(
        world, select(func.count(DraftRow.id)).where(DraftRow.user_id == person)
    )
    return bool(tickets or drafts_made)


async def _audit(world: World, since: Mark, what: str, text: str = "") -> bool:
    rows = await _audit_rows(world, since)
    return any(r.what == what and text in (r.new or "") for r in rows)


async def _audit_rows(world: World, since: Mark) -> list[AuditEventRow]:
    async with world.app.db.uow() as uow:
        return list(
            await uow.session.scalars(select(AuditEventRow).where(AuditEventRow.id > since.audit))
        )


def _link_in(world_ctx_key: str) -> Done:
    async def done(world: World, role: str, ctx: Ctx, since: Mark) -> bool:
        state = await scalar(
            world,
            select(IncidentReportRow.state).where(
                IncidentReportRow.report_id == ctx[world_ctx_key].id
            ),
        )
        return state == "linked"

    return done


async def _mass(world: World, role: str, ctx: Ctx, since: Mark) -> bool:
    return (
        await scalar(
            world, select(MassIncidentRow.ticket_id).where(MassIncidentRow.ticket_id == ctx["t"].id)
        )
        is not None
    )


async def _wide(world: World, role: str, ctx: Ctx, since: Mark) -> bool:
    made = await scalar(
        world,
        select(func.count(MassIncidentRow.ticket_id)).where(
            MassIncidentRow.client_code == "DEMO", MassIncidentRow.declared_at > ctx["at"]
        ),
    )
    return bool(made)


async def _at(world: World) -> Ctx:
    return {"at": datetime.now(UTC)}


async def _report_file(world: World, role: str, ctx: Ctx, since: Mark) -> bool:
    return bool(
        await scalar(
            world,
            select(func.count(ReportFileRow.id)).where(
                ReportFileRow.client_code == "DEMO", ReportFileRow.created_at > ctx["at"]
            ),
        )
    )


async def _document(client: str, world: World, role: str, since: Mark) -> bool:
    wanted = await file_of(world, client)
    rows = await sent_since(world, since, ROLES[role])
    return any(r.kind == "document" and r.payload.get("file_id") == wanted for r in rows)


async def _files(world: World) -> Ctx:
    return {"a": await file_of(world, "DEMO"), "b": await file_of(world, "URAL")}


async def _survey(world: World) -> Ctx:
    async with world.app.db.uow() as uow:
        last = await uow.surveys.latest("DEMO")
    assert last is not None
    return {"survey": last.id}


async def _surveyed(world: World, role: str, ctx: Ctx, since: Mark) -> bool:
    found = await scalar(
        world,
        select(func.count())
        .select_from(SurveyAnswerRow)
        .where(SurveyAnswerRow.survey_id == ctx["survey"], SurveyAnswerRow.user_id == ROLES[role]),
    )
    return bool(found)


async def _client_of(world: World, role: str) -> str | None:
    return await scalar(
        world, select(UserRow.client_code).where(UserRow.telegram_id == ROLES[role])
    )


async def _before_client(world: World) -> Ctx:
    return {"clients": {role: await _client_of(world, role) for role in ROLES}}


async def _moved_to_ural(world: World, role: str, ctx: Ctx, since: Mark) -> bool:
    before = ctx["clients"][role]
    return before not in (None, "URAL") and await _client_of(world, role) == "URAL"


async def _form_started(world: World, role: str, ctx: Ctx, since: Mark) -> bool:
    rows = await scalar(
        world,
        select(func.count(FormDraftRow.id)).where(
            FormDraftRow.user_id == ROLES[role], FormDraftRow.client_code == "DEMO"
        ),
    )
    return bool(rows)


async def _before_form(world: World) -> Ctx:
    for person in ROLES.values():
        async with world.app.db.uow() as uow:
            await uow.catalogue.drop_form(person)
    return {}


async def _form_gone(world: World, role: str, ctx: Ctx, since: Mark) -> bool:
    return (
        await scalar(world, select(FormDraftRow.id).where(FormDraftRow.id == ctx["form"])) is None
    )


async def _approval(state: str, world: World, ctx: Ctx) -> bool:
    return (
        await scalar(world, select(ApprovalRow.state).where(ApprovalRow.id == ctx["approval"]))
        == state
    )


async def _asked_reason(world: World, role: str, ctx: Ctx, since: Mark) -> bool:
    async with world.app.db.uow() as uow:
        waiting = await uow.drafts.awaited(ROLES[role])
    return waiting is not None and str(ctx["approval"]) in waiting[0]


async def _design(world: World, role: str, ctx: Ctx, since: Mark) -> bool:
    kinds = await scalar(
        world,
        select(func.count(ApprovalRow.id)).where(
            ApprovalRow.ticket_id == ctx["t"].id, ApprovalRow.kind == "design"
        ),
    )
    return bool(kinds)


async def _paired(world: World, role: str, ctx: Ctx, since: Mark) -> bool:
    return bool(
        await scalar(
            world,
            select(func.count())
            .select_from(PairingCodeRow)
            .where(PairingCodeRow.user_id == ROLES[role]),
        )
    )


async def _faq_saved(world: World, role: str, ctx: Ctx, since: Mark) -> bool:
    return await told(world, since, STAFF_CHAT, "Сохранено в базу знаний")


async def _invite_sent(world: World, role: str, ctx: Ctx, since: Mark) -> bool:
    rows = await sent_since(world, since, group_of(role))
    return any("start=demo" in json.dumps(r.payload, ensure_ascii=False) for r in rows)


async def _is(world: World, ctx: Ctx, name: str, value: Any) -> bool:
    return bool(await _field(world, ctx, name) == value)


async def _draft_left(world: World, ctx: Ctx, state: str) -> bool:
    return await scalar(world, select(DraftRow.state).where(DraftRow.id == ctx["draft"])) != state


async def _not_linked(world: World, ctx: Ctx) -> bool:
    state = await scalar(
        world,
        select(IncidentReportRow.state).where(IncidentReportRow.report_id == ctx["report"].id),
    )
    return state != "linked"


async def _shown(world: World, since: Mark, data: str, chat: int = STAFF_CHAT) -> bool:
    """A message to ``chat`` since ``since`` carries ``data`` (a button's)."""
    rows = await sent_since(world, since, chat)
    return any(data in json.dumps(r.payload) for r in rows)


async def _history(world: World, ctx: Ctx, since: Mark) -> bool:
    rows = await sent_since(world, since, STAFF_CHAT)
    return any(
        r.ticket_id == ctx["t"].id and "создана" in str(r.payload.get("text") or "").lower()
        for r in rows
    )


async def _reply_cmd(world: World, role: str, ctx: Ctx, key: str, text: str) -> None:
    await world.play(Group(ROLES[role], STAFF_CHAT, "reply_to", ctx[key], {"text": text}))


def _design_doc() -> dict[str, Any]:
    return {
        "document": {"file_id": "design-1", "file_unique_id": "design-1", "file_name": "ФД.docx"},
        "caption": "/design",
    }


async def _incident_and_b(world: World) -> Ctx:
    found = await incident_with_reports(world)
    return {**found, "b": await new_ticket(world, USER_B, "Не печатается накладная")}


async def _revoked(world: World, role: str, since: Mark) -> bool:
    """A's (DEMO's) page links revoked."""
    return any(
        r.what == "client links revoked" and '"client": "DEMO"' in (r.new or "")
        for r in await _audit_rows(world, since)
    )


A = frozenset({"user_a"})
USERS = frozenset({"user_a", "colleague_a", "user_b"})

ACTIONS: list[Action] = [
    # -- a user's commands (private chat)
    Action("/my lists A's ticket", A, ticket_a, _say("/my"), _said(lambda c: c["t"].number)),
    Action(
        "/tickets lists A's tickets",
        frozenset({"manager_a"}),
        ticket_a,
        _say("/tickets"),
        _said(lambda c: c["t"].number),
    ),
    Action(
        "/tickets lists B's tickets",
        frozenset({"manager_b"}),
        ticket_b,
        _say("/tickets"),
        _said(lambda c: c["t"].number),
    ),
    Action(
        "/new offers A's request types",
        frozenset({"user_a", "colleague_a"}),
        _before_form,
        _say("/new"),
        lambda w, r, c, m: _shown(w, m, "n:access", ROLES[r]),
    ),
    Action(
        "a message is taken as a request",
        USERS,
        nothing,
        _say("Не проводится реализация, ошибка"),
        _registered,
    ),
    Action(
        "/connect gives a link for the other messenger", USERS, nothing, _say("/connect"), _paired
    ),
    Action("/help gives the staff's help", STAFF, nothing, _say("/help"), _said(lambda c: "/take")),
    # -- a user's buttons (forged for whoever is not shown them)
    Action(
        "view A's ticket",
        A,
        ticket_a,
        _tap(lambda c: f"u:{c['t'].id}:view:"),
        _said(lambda c: c["t"].number),
    ),
    Action(
        "lower A's priority",
        A,
        ticket_a,
        _tap(lambda c: f"u:{c['t'].id}:setp:4"),
        lambda w, r, c, m: _is(w, c, "priority", 4),
    ),
    Action(
        "change A's category",
        A,
        ticket_a,
        _tap(lambda c: f"u:{c['t'].id}:setc:consultation"),
        lambda w, r, c, m: _is(w, c, "category", "consultation"),
    ),
    Action(
        "confirm A's resolved ticket",
        A,
        resolved_a,
        _tap(lambda c: f"u:{c['t'].id}:ok:"),
        _status("closed"),
    ),
    Action(
        "reopen A's resolved ticket",
        A,
        resolved_a,
        _tap(lambda c: f"u:{c['t'].id}:reopen:"),
        _status("in_progress"),
    ),
    Action(
        "«it helped» on A's FAQ answer",
        A,
        faq_draft_a,
        _tap(lambda c: f"f:{c['draft']}:helped:0"),
        lambda w, r, c, m: _draft_left(w, c, "faq"),
    ),
    Action(
        "«a new request» on A's question",
        A,
        pick_draft_a,
        _tap(lambda c: f"w:{c['draft']}:0"),
        lambda w, r, c, m: _draft_left(w, c, "choose"),
    ),
    Action(
        "«mine is another problem» on A's report",
        A,
        incident_with_reports,
        _tap(lambda c: f"i:{c['report'].id}:other"),
        lambda w, r, c, m: _not_linked(w, c),
    ),
    Action(
        "A's saved report file",
        frozenset({"manager_a"}),
        _files,
        _tap(lambda c: f"m:{c['a']}"),
        lambda w, r, c, m: _document("DEMO", w, r, m),
    ),
    Action(
        "B's saved report file",
        frozenset({"manager_b"}),
        _files,
        _tap(lambda c: f"m:{c['b']}"),
        lambda w, r, c, m: _document("URAL", w, r, m),
    ),
    Action(
        "answer A's survey",
        frozenset({"user_a", "colleague_a"}),
        _survey,
        _tap(lambda c: f"q:{c['survey']}:1:5"),
        _surveyed,
    ),
    Action(
        "move to B without an offer",
        NOBODY,
        _before_client,
        _tap(lambda c: "r:go:URAL"),
        _moved_to_ural,
    ),
    Action(
        "start a form of A's catalogue",
        frozenset({"user_a", "colleague_a"}),
        _before_form,
        _tap(lambda c: "n:access"),
        _form_started,
    ),
    Action(
        "cancel A's form",
        A,
        form_a,
        _tap(lambda c: f"c:{c['form']}:{c['step']}:cancel:0"),
        _form_gone,
    ),
    Action(
        "approve A's access request",
        frozenset({"manager_a"}),
        approval_a,
        _tap(lambda c: f"a:{c['approval']}:ok"),
        lambda w, r, c, m: _approval("approved", w, c),
        note="approvers of the type or the client's managers, never the requester",
    ),
    Action(
        "refuse A's access request",
        frozenset({"manager_a"}),
        approval_a,
        _tap(lambda c: f"a:{c['approval']}:no"),
        _asked_reason,
    ),
    # -- staff commands in A's ticket's topic
    Action("/take", TEAM_X, ticket_a, _cmd(lambda c: "/take"), _owner_is_role),
    Action(
        "/assign @dmitry",
        TEAM_X,
        ticket_a,
        _cmd(lambda c: "/assign @dmitry"),
        lambda w, r, c, m: _is(w, c, "owner_id", ENGINEER_X),
    ),
    Action(
        "/priority 2",
        TEAM_X,
        ticket_a,
        _cmd(lambda c: "/priority 2 Встала отгрузка"),
        lambda w, r, c, m: _is(w, c, "priority", 2),
    ),
    Action(
        "/escalate",
        TEAM_X,
        ticket_a,
        _cmd(lambda c: "/escalate"),
        lambda w, r, c, m: _is(w, c, "escalated", True),
    ),
    Action("/wait", TEAM_X, ticket_a, _cmd(lambda c: "/wait"), _status("waiting")),
    Action(
        "/route",
        TEAM_X,
        ticket_a,
        _cmd(lambda c: "/route"),
        lambda w, r, c, m: _shown(w, m, f"s:{c['t'].id}:to:0"),
    ),
    Action("/resolve", TEAM_X, ticket_a, _cmd(lambda c: "/resolve Готово"), _status("resolved")),
    Action("/close", TEAM_X, resolved_a, _cmd(lambda c: "/close"), _status("closed")),
    Action("/reopen", TEAM_X, resolved_a, _cmd(lambda c: "/reopen"), _status("in_progress")),
    Action(
        "/history",
        TEAM_X,
        ticket_a,
        _cmd(lambda c: "/history"),
        lambda w, r, c, m: _history(w, c, m),
    ),
    Action(
        "/note reaches the user",
        NOBODY,
        ticket_a,
        _cmd(lambda c: "/note Проверить права"),
        _reached_user_a,
    ),
    Action(
        "a message in the topic reaches the user",
        frozenset({"consultant_x"}),
        ticket_a,
        _cmd(lambda c: "Перезапустите, пожалуйста, 1С"),
        _reached_user_a,
        note="line 2 writes internal notes; /pass sends one",
    ),
    Action(
        "/pass an engineer's note",
        frozenset({"consultant_x"}),
        engineer_note_a,
        lambda w, r, c: _reply_cmd(w, r, c, "note", "/pass"),
        _reached_user_a,
        note="only the ticket's owner (here consultant_x) passes a note on",
    ),
    Action(
        "/faq from a consultant's answer",
        TEAM_X,
        answer_a,
        lambda w, r, c: _reply_cmd(w, r, c, "answer", "/faq"),
        _faq_saved,
    ),
    Action(
        "/design for A's enhancement",
        TEAM_X,
        enhancement_a,
        lambda w, r, c: in_topic(w, r, c["t"], _design_doc()),
        _design,
    ),
    Action("/mass", TEAM_X, ticket_a, _cmd(lambda c: "/mass"), _mass),
    Action(
        "/link another A ticket",
        TEAM_X,
        incident_with_reports,
        _cmd(lambda c: f"/link {c['spare'].number}"),
        _link_in("spare"),
    ),
    Action(
        "/link a ticket of B into A's incident",
        NOBODY,
        _incident_and_b,
        _cmd(lambda c: f"/link {c['b'].number}"),
        _link_in("b"),
        note="tenancy: only the topic's client's tickets",
    ),
    Action(
        "/unlink A's report",
        TEAM_X,
        incident_with_reports,
        _cmd(lambda c: f"/unlink {c['report'].number}"),
        lambda w, r, c, m: _not_linked(w, c),
    ),
    # -- staff commands in the group (consultant_y: in their own group)
    Action(
        "/report DEMO", TEAM_X, _at, lambda w, r, c: in_group(w, r, "/report DEMO"), _report_file
    ),
    Action(
        "/invite DEMO",
        TEAM_X,
        nothing,
        lambda w, r, c: in_group(w, r, "/invite DEMO"),
        _invite_sent,
    ),
    Action(
        "/mass DEMO: (one per client named)",
        TEAM_X,
        _at,
        lambda w, r, c: in_group(w, r, "/mass DEMO: не работает 1С"),
        _wide,
    ),
    # -- buttons of A's card (consultant_y: in their own group, naming A's ticket)
    Action("card: take", TEAM_X, ticket_a, _card("take"), _owner_is_role),
    Action(
        "card: priority 2",
        TEAM_X,
        ticket_a,
        _card("setp:2"),
        lambda w, r, c, m: _is(w, c, "priority", 2),
    ),
    Action(
        "card: escalate",
        TEAM_X,
        ticket_a,
        _card("esc"),
        lambda w, r, c, m: _is(w, c, "escalated", True),
    ),
    Action("card: wait", TEAM_X, ticket_a, _card("wait"), _status("waiting")),
    Action(
        "card: route to the client's IT", TEAM_X, ticket_a, _card("to:0"), _status("routed_out")
    ),
    Action("card: resolve", TEAM_X, ticket_a, _card("resolve"), _status("resolved")),
    Action("card: reopen", TEAM_X, resolved_a, _card("reopen"), _status("in_progress")),
    Action("card: mass incident", TEAM_X, ticket_a, _card("mass"), _mass),
    # -- last: these change who the role is
    Action(
        "/revoke A's page links",
        frozenset({"manager_a"}),
        nothing,
        _say("/revoke"),
        lambda w, r, c, m: _revoked(w, r, m),
    ),
    Action(
        "B's invite moves a user of A at once",
        NOBODY,
        _before_client,
        _say("/start ural"),
        _moved_to_ural,
        note="asked first («Перейти» / «Остаться»)",
    ),
]


CELLS = [pytest.param(a, r, id=f"{a.name} | {r}") for a in ACTIONS for r in ROLES]


@pytest.mark.parametrize(("action", "role"), CELLS)
async def test_each_action_by_each_role(world: World, action: Action, role: str) -> None:
    ctx = await action.needs(world)
    since = await mark(world)
    errors = len(world.tally.errors)
    await action.do(world, role, ctx)
    await world.settle()
    done = await action.done(world, role, ctx, since)
    assert world.tally.errors[errors:] == [], "an unforeseen error"
    assert await leaks_since(world, since) == []
    rule = role in action.allowed
    assert done == rule, (
        f"{action.name!r} by {role}: {'done' if done else 'refused'}, "
        f"the rule says {'allowed' if rule else 'refused'} ({action.note or 'see the handler'})"
        f"\n{await evidence(world, since, role)}"
    )


async def evidence(world: World, since: Mark, role: str) -> str:
    """What the bot said since ``since`` and how it answered the role's presses."""
    answers = [
        f"{c.data!r} -> {c.answer_text!r}"
        for c in world.handle.sandbox.state.callbacks.values()
        if c.user_id == ROLES[role] and c.answered
    ][-3:]
    said = [f"{r.chat_id}: {words([r])[:150]!r}" for r in await sent_since(world, since)]
    return "answers: " + "; ".join(answers) + "\nsaid:\n" + "\n".join(said)


NUMBER = re.compile(r"\b([A-Z][A-Z0-9]{1,15}-\d{1,12})\b")


async def leaks_since(world: World, since: Mark) -> list[str]:
    """Messages since ``since`` to someone's private chat about (or naming) a ticket of a
    client they are not of, do not manage, are not staff of."""
    who = await directory(world)
    found = []
    async with world.app.db.uow() as uow:
        numbers = {t.number: t.client_code for t in await uow.session.scalars(select(TicketRow))}
        by_id = {t.id: t.client_code for t in await uow.session.scalars(select(TicketRow))}
    for row in await sent_since(world, since):
        if row.chat_id < 0:
            continue  # a group: the checker below reads those
        clients = set(NUMBER.findall(words([row])))
        named = {numbers[n] for n in clients if n in numbers}
        if row.ticket_id is not None:
            named.add(by_id[row.ticket_id])
        for client in named:
            if not who.may_hear(row.chat_id, client):
                found.append(f"outbox {row.id} to {row.chat_id}: {client} {words([row])[:80]!r}")
    return found


async def test_no_leak_across_clients_and_every_row_consistent(world: World) -> None:
    """After the matrix (this worker's share of it): the fuzz checker over the database."""
    await new_ticket(world, USER_B, "Не открывается отчёт")  # (run alone: something to read)
    found = await check(world)
    assert found.problems == []
    assert found.rows["tickets"] > 0


# -- the client page: what each signed link opens ---------------------------------------------

Client = TestClient[web.Request, web.Application]
LINK = re.compile(r"/c/([A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+)")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def page(world: World) -> AsyncIterator[Client]:
    """``bot.web`` on the world's database, with the alerts API."""
    signer = LinkSigner(WEB_SECRET, timedelta(hours=world.app.settings.web_link_hours))
    deps = AlertDeps(world.app.tickets, world.app.sender.wake, 60)
    guard = Guard(PageLimits(fail_limit=10_000))  # many refused links here on purpose
    app = make_web_app(world.app.db.uow, signer, world.app.now, guard, deps)
    async with TestClient(TestServer(app)) as client:
        yield client


async def link_of(world: World, role: str) -> str:
    """The page link /tickets gives ``role`` now (its token)."""
    since = await mark(world)
    await private(world, role, "/tickets")
    found = LINK.findall(words(await sent_since(world, since, ROLES[role])))
    assert found, f"/tickets gave {role} no link"
    return str(found[-1])


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def links(world: World) -> dict[str, str]:
    """Tokens by holder: each manager's from /tickets; manager_a's from before their
    /revoke; one signed with another secret (forged)."""
    revoked = await link_of(world, "manager_a")
    await private(world, "manager_a", "/revoke")
    forged = LinkSigner("another-secret-of-16+chars", timedelta(hours=1))
    return {
        "manager_a": await link_of(world, "manager_a"),
        "manager_b": await link_of(world, "manager_b"),
        "manager_a, revoked": revoked,
        "forged": forged.sign("DEMO", 1003, datetime.now(UTC)),
    }


@dataclass(frozen=True)
class Resource:
    name: str
    allowed: frozenset[str]
    path: Callable[[Ctx], str]
    shows: Callable[[Ctx], str]  # what the page shows when it is open (200 and this)
    client: str  # whose: "a" or "b" (their secrets never shown to another link)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def shared(world: World) -> Ctx:
    """A ticket of A and of B, and each client's saved report file."""
    return {
        "a": await new_ticket(world, USER_A, "Секрет компании Демо: не проводится"),
        "b": await new_ticket(world, USER_B, "Секрет Урал-Снаба: не печатается"),
        **{f"file_{k}": v for k, v in (await _files(world)).items()},
    }


RESOURCES = [
    Resource(
        "A's tickets list",
        frozenset({"manager_a"}),
        lambda c: "?status=all",
        lambda c: c["a"].number,
        "a",
    ),
    Resource(
        "A's ticket",
        frozenset({"manager_a"}),
        lambda c: f"/t/{c['a'].number}",
        lambda c: "Секрет компании Демо",
        "a",
    ),
    Resource(
        "B's ticket",
        frozenset({"manager_b"}),
        lambda c: f"/t/{c['b'].number}",
        lambda c: "Секрет Урал-Снаба",
        "b",
    ),
    Resource(
        "A's report", frozenset({"manager_a"}), lambda c: f"/r/{c['file_a']}", lambda c: "", "a"
    ),
    Resource(
        "B's report", frozenset({"manager_b"}), lambda c: f"/r/{c['file_b']}", lambda c: "", "b"
    ),
]
HOLDERS = ("manager_a", "manager_b", "manager_a, revoked", "forged")


@pytest.mark.parametrize(
    ("resource", "holder"),
    [pytest.param(r, h, id=f"{r.name} | {h}") for r in RESOURCES for h in HOLDERS],
)
async def test_each_page_by_each_link(
    page: Client, links: dict[str, str], shared: Ctx, resource: Resource, holder: str
) -> None:
    """A link opens its own client's page, tickets and reports; anything else is 403
    (forged, revoked) or 404 (another client's), never shown."""
    response = await page.get(f"/c/{links[holder]}{resource.path(shared)}")
    text = (await response.read()).decode("utf-8", "replace")
    opened = response.status == 200 and resource.shows(shared) in text
    allowed = holder in resource.allowed
    assert opened == allowed, (resource.name, holder, response.status)
    if not allowed:  # refused: 403, 404, or (a list) the holder's own client's page
        assert response.status in (200, 403, 404)
        ticket = shared[resource.client]
        assert ticket.number not in text
        assert ticket.subject not in text


# -- the alerts API: what each key may do -------------------------------------------------------

KEYS = {
    "DEMO's key": DEMO_ALERT_KEY,
    "URAL's key": URAL_ALERT_KEY,
    "no key": None,
    "a wrong key": "guess",
}


def _alert(key: str, status: str = "firing") -> dict[str, str]:
    return {
        "key": key,
        "status": status,
        "summary": "Сервер 1С не отвечает",
        "severity": "critical",
    }


async def _post(page: Client, body: dict[str, str], key: str | None) -> int:
    headers = {"Authorization": f"Bearer {key}"} if key is not None else {}
    response = await page.post("/api/v1/alerts", data=json.dumps(body).encode(), headers=headers)
    return response.status


async def _monitoring(world: World, client: str) -> list[TicketRow]:
    async with world.app.db.uow() as uow:
        found = await uow.session.scalars(
            select(TicketRow).where(
                TicketRow.client_code == client, TicketRow.category == "monitoring"
            )
        )
        return list(found)


@pytest.mark.parametrize("holder", list(KEYS))
async def test_each_key_opens_incidents_of_its_own_client_only(
    world: World, page: Client, holder: str
) -> None:
    """A key names its client: it opens (and resolves) that client's incidents, never
    another's; no key or a wrong one is 401 and touches nothing."""
    alert = f"disk-full-{hashlib.sha256(holder.encode()).hexdigest()[:8]}"
    before = {c: len(await _monitoring(world, c)) for c in ("DEMO", "URAL")}
    status = await _post(page, _alert(alert), KEYS[holder])
    after = {c: len(await _monitoring(world, c)) for c in ("DEMO", "URAL")}
    opened = {c for c in after if after[c] > before[c]}
    expected = {"DEMO's key": {"DEMO"}, "URAL's key": {"URAL"}}.get(holder, set())
    assert opened == expected
    assert status == (201 if expected else 401)


@pytest.mark.parametrize("holder", list(KEYS))
async def test_only_the_clients_own_key_resolves_its_incident(
    world: World, page: Client, holder: str
) -> None:
    alert = f"db-down-{hashlib.sha256(holder.encode()).hexdigest()[:8]}"
    assert await _post(page, _alert(alert), DEMO_ALERT_KEY) == 201
    opened = max(await _monitoring(world, "DEMO"), key=lambda t: t.id)
    await _post(page, _alert(alert, "resolved"), KEYS[holder])
    row = await ticket(world, opened.id)
    assert (row.status == "resolved") == (holder == "DEMO's key"), (holder, row.status)
