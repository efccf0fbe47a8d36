"""Mass incidents: many users' reports of one problem become one ticket (``desk.incidents``
decides, this does; ARCHITECTURE.md "Mass incidents").

- *Declaring*: ``/mass`` or the card's button (staff), an alert (``bot.services.alerts``),
  a second user's outage (``take_report``), the merge the bot proposed (``merge``), or
  ``/mass CODES: problem`` for several clients at once (``declare_wide``).
- *Reports*: while a client has an open mass incident, a new request that matches it
  becomes a report: a ticket of its user (number, history, audit) linked to the
  incident, with no topic and no card; the user hears «Мы уже знаем о проблеме» at once
  (``take_report``). The incident's topic gets one line per burst of reports
  (``post_lines``, a job: at most one a minute per incident). Staff link and unlink
  tickets (``link``, ``unlink``); a user says «У меня другое» (``other``).
- *Resolution*: resolving the incident (``resolved``, called where a ticket is
  resolved by staff or by its alert) tells every linked user once and closes their
  reports, a chunk per transaction (``tell_resolution``, a job: the outbox paces the
  messages); «У меня всё ещё не работает» reopens one's report on its own (``again``).

Everything happens in the caller's unit of work; messages are outbox rows of it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from enum import StrEnum

from bot import keyboards, texts
from bot.outbox import enqueue
from bot.services import notify, reasons, ticket_events
from bot.services.actors import Actor, ActorKind
from bot.services.cards import render_card
from bot.services.incoming import Incoming
from bot.services.tickets import TicketService
from desk import incidents as rules
from desk.alerts import is_system_user
from desk.enums import OPEN_STATUSES, Category, Priority, Status
from desk.errors import NotAllowed
from desk.incidents import Candidate, Origin, ReportState
from desk.intake import guess, subject_of
from desk.model import Ticket, User
from knowledge.analysis import Analyzer
from knowledge.gaps import lemma_key, similarity_of
from storage import incidents as store
from storage.uow import UnitOfWork

# -- matching --------------------------------------------------------------------------

_KEYS: dict[str, str] = {}  # text -> lemma key (texts of tickets never change)
_KEYS_KEPT = 20_000


def _key(text: str, analyzer: Analyzer) -> str:
    found = _KEYS.get(text)
    if found is None:
        if len(_KEYS) >= _KEYS_KEPT:
            _KEYS.clear()
        found = _KEYS[text] = lemma_key(text, analyzer)
    return found


def similarity(text: str, others: Sequence[str], analyzer: Analyzer) -> float:
    """How alike ``text`` is to the most alike of ``others`` (0–100): the FAQ's own
    comparison of requests (lemmas, word order and forms do not matter)."""
    mine = _key(text, analyzer)
    return max((similarity_of(mine, _key(o, analyzer)) for o in others if o.strip()), default=0.0)


async def _rules(uow: UnitOfWork, svc: TicketService, client_code: str) -> rules.IncidentRules:
    terms = await svc.terms(uow, client_code)
    return (await uow.ops.terms_of(terms.contract.name)).incidents


async def _candidates(
    uow: UnitOfWork, svc: TicketService, analyzer: Analyzer, user: User, text: str, now: datetime
) -> list[Candidate]:
    window = (await _rules(uow, svc, user.client_code)).window
    found = await uow.incidents.candidates(user.client_code, now - window)
    scored = []
    for o in found:
        if o.requester_id == user.telegram_id:
            continue  # one's own open ticket: a follow-up's business, not a report
        outage = rules.is_outage(o.subject) or rules.is_outage(o.text)
        score = 0.0
        if o.declared:  # (an undeclared ticket takes only an outage: no need to compare)
            said = await uow.incidents.report_texts(o.ticket_id, rules.TEXTS_COMPARED)
            score = similarity(text, [o.subject, o.text, *said], analyzer)
        scored.append(Candidate(o.ticket_id, o.declared, outage, score))
    return scored


# -- a new request that reports on an open incident ---------------------------------------


async def take_report(
    uow: UnitOfWork,
    svc: TicketService,
    analyzer: Analyzer,
    user: User,
    msg: Incoming,
    now: datetime,
) -> Ticket | None:
    """If the user's new request matches an open mass incident of their client (or a second
    outage of an outage ticket of the window), register it as a report of it and tell the
    user at once; the report (None: it is a request of its own, register it as usual)."""
    if not msg.text.strip() or is_system_user(user.telegram_id):
        return None
    chosen = rules.pick(await _candidates(uow, svc, analyzer, user, msg.text, now),
                        rules.is_outage(msg.text))  # fmt: skip
    if chosen is None:
        return None
    incident = await uow.tickets.get_by_id(chosen.ticket_id, for_update=True)
    if not chosen.declared:  # a second user's outage: the first ticket is a mass incident now
        await declare(uow, incident, Actor.system(), Origin.OUTAGE, now, announce=False)
    guessed = guess(msg.text)
    report = await svc.create_ticket(
        uow,
        requester_id=user.telegram_id,
        reply_chat=msg.chat_id,
        subject=subject_of(msg.text, texts.render("subject_fallback")),
        text=msg.text,
        priority=guessed.priority,
        category=guessed.category,
    )
    assert report.id is not None
    await uow.messaging.add_user_message(
        report.id, msg.chat_id, msg.message_id, user.telegram_id, msg.shown, now
    )
    await _link(uow, incident, report, Actor.system(), now, pending=True)
    await _tell_known(uow, incident, report, "incident_known")
    return report


async def _tell_known(uow: UnitOfWork, incident: Ticket, report: Ticket, template: str) -> None:
    assert report.id is not None
    notify.to_user(
        uow,
        report,
        template,
        markup=keyboards.incident_known(report.id),
        incident=incident.number,
        subject=incident.subject,
        owner=await notify.owner_name(uow, incident),
    )


# -- declaring -----------------------------------------------------------------------------


async def declare(
    uow: UnitOfWork,
    ticket: Ticket,
    actor: Actor,
    origin: Origin,
    now: datetime,
    *,
    announce: bool = True,
    wide_id: int | None = None,
) -> bool:
    """Make ``ticket`` a mass incident (its card says so; ``announce``: its topic too);
    False if it was one already."""
    assert ticket.id is not None
    if not await uow.incidents.declare(
        ticket.id, ticket.client_code, origin, str(actor), now, wide_id=wide_id
    ):
        return False
    await ticket_events.record(uow, ticket, actor, now, "mass", None, origin.value)
    await notify.refresh_card(uow, ticket)
    if announce:
        client = await uow.directory.client(ticket.client_code)
        await notify.to_topic(uow, ticket, "incident_declared", client=client.name)
    return True


class Declared(StrEnum):
    DONE = "done"
    ALREADY = "already"  # a mass incident already
    CLOSED = "closed"  # not open: nothing will report on it
    REPORT = "report"  # a report of another incident


async def declare_by_staff(
    uow: UnitOfWork, ticket: Ticket, staff_id: int, now: datetime
) -> Declared:
    """``/mass`` in the topic or the card's button."""
    assert ticket.id is not None
    if ticket.status not in OPEN_STATUSES:
        return Declared.CLOSED
    row = await uow.incidents.report_of(ticket.id)
    if row is not None and row.state is ReportState.LINKED:
        return Declared.REPORT
    if not await declare(uow, ticket, Actor.staff(staff_id), Origin.STAFF, now):
        return Declared.ALREADY
    return Declared.DONE


async def declare_wide(
    uow: UnitOfWork,
    svc: TicketService,
    staff_id: int,
    codes: Sequence[str],
    summary: str,
    now: datetime,
) -> list[Ticket]:
    """A contractor-wide incident: one mass incident per client (each client's users get
    its own number), each with its topic and card, grouped (resolving one resolves all)."""
    made: list[Ticket] = []
    wide_id: int | None = None
    for code in codes:
        requester = rules.contractor_user_id(code)
        name = texts.render("incident_requester")
        await uow.alerts.ensure_system_user(requester, code, name, now)
        guessed = guess(summary)
        ticket = await svc.create_ticket(
            uow,
            requester_id=requester,
            subject=summary,
            text=summary,
            priority=min(guessed.priority, Priority.HIGH),
            category=Category.INTEGRATION if guessed.category is Category.INTEGRATION
            else Category.INCIDENT,
        )  # fmt: skip
        assert ticket.id is not None
        wide_id = ticket.id if wide_id is None else wide_id
        await uow.incidents.declare(ticket.id, code, Origin.WIDE, str(Actor.staff(staff_id)), now,
            wide_id=wide_id,
        )  # fmt: skip
        await ticket_events.record(
            uow, ticket, Actor.staff(staff_id), now, "mass", None, Origin.WIDE.value
        )
        await _open_topic(uow, svc, ticket, now)
        made.append(ticket)
    return made


async def _open_topic(uow: UnitOfWork, svc: TicketService, ticket: Ticket, now: datetime) -> None:
    """Queue the ticket's topic with its card as it is now, and call the team on a P1."""
    assert ticket.id is not None
    terms = await svc.terms(uow, ticket.client_code)
    team = terms.config.teams[terms.client.team]
    owner = terms.config.staff.get(ticket.owner_id)
    user = await uow.users.get(ticket.requester_id)
    facts = await uow.incidents.card_facts(ticket.id, ticket.requester_id)
    card = render_card(ticket, terms.client, user, owner, None, routed=None, now=now,
                       incident=facts)  # fmt: skip
    enqueue.open_topic(uow, team.chat_id, ticket.id, card)
    await notify.alert_p1(uow, svc, ticket, now)


# -- linking and unlinking -------------------------------------------------------------------


async def _link(
    uow: UnitOfWork, incident: Ticket, report: Ticket, actor: Actor, now: datetime, *, pending: bool
) -> None:
    assert incident.id is not None
    assert report.id is not None
    await uow.incidents.link(report.id, incident.id, report.requester_id, str(actor), now)
    if not pending:
        await uow.incidents.set_state(report.id, ReportState.LINKED)
    await ticket_events.record(uow, report, actor, now, "linked", None, incident.number)


class Linked(StrEnum):
    """How a staff /link of one ticket went."""

    DONE = "done"
    SELF = "self"  # the incident itself
    ALREADY = "already"  # linked to this incident already
    ELSEWHERE = "elsewhere"  # a report of another incident
    MASS = "mass"  # a mass incident itself
    CLOSED = "closed"  # not open
    FOREIGN = "foreign"  # another client's ticket (or another team's)


async def link(
    uow: UnitOfWork, incident: Ticket, ticket: Ticket, staff_id: int, now: datetime
) -> Linked:
    """Staff link ``ticket`` to the mass incident as a report: its user is told the
    problem is known, its card and topic say where it went."""
    assert incident.id is not None
    assert ticket.id is not None
    if ticket.id == incident.id:
        return Linked.SELF
    if ticket.client_code != incident.client_code:
        return Linked.FOREIGN
    row = await uow.incidents.report_of(ticket.id)
    if row is not None and row.state is ReportState.LINKED:
        return Linked.ALREADY if row.incident_id == incident.id else Linked.ELSEWHERE
    if await uow.incidents.mass_of(ticket.id) is not None:
        return Linked.MASS
    if ticket.status not in OPEN_STATUSES:
        return Linked.CLOSED
    actor = Actor.staff(staff_id)
    await _link(uow, incident, ticket, actor, now, pending=False)
    await ticket_events.record(uow, incident, actor, now, "report linked", None, ticket.number)
    await _tell_known(uow, incident, ticket, "incident_linked_user")
    if await uow.messaging.topic_of(ticket.id) is not None:
        await notify.refresh_card(uow, ticket)
        await notify.to_topic(uow, ticket, "incident_linked_here", incident=incident.number)
    await notify.refresh_card(uow, incident)
    return Linked.DONE


class Unlinked(StrEnum):
    DONE = "done"
    NOT_LINKED = "not_linked"  # not a report of this incident (or of any)


async def unlink(
    uow: UnitOfWork,
    svc: TicketService,
    incident: Ticket,
    ticket: Ticket,
    actor: Actor,
    now: datetime,
) -> Unlinked:
    """The report becomes a ticket of its own again: a topic and card (if it never had
    them), its own SLA, and its user is told its number."""
    assert incident.id is not None
    assert ticket.id is not None
    row = await uow.incidents.report_of(ticket.id)
    if row is None or row.state is not ReportState.LINKED or row.incident_id != incident.id:
        return Unlinked.NOT_LINKED
    await _separate(uow, svc, incident, ticket, actor, now)
    if actor.kind is ActorKind.STAFF:
        await ticket_events.record(
            uow, incident, actor, now, "report unlinked", ticket.number, None
        )
    return Unlinked.DONE


async def _separate(
    uow: UnitOfWork,
    svc: TicketService,
    incident: Ticket,
    ticket: Ticket,
    actor: Actor,
    now: datetime,
    *,
    reason: str | None = None,
) -> Ticket:
    """Unlink the report; it gets a topic and card of its own (or its card back) and its
    user hears its number; the incident's card counts one less."""
    assert ticket.id is not None
    await uow.incidents.set_state(ticket.id, ReportState.SEPARATE)
    await ticket_events.record(uow, ticket, actor, now, "unlinked", incident.number, None, reason)
    had_topic = await uow.messaging.topic_of(ticket.id) is not None
    if had_topic:
        if ticket.status in notify.TOPIC_CLOSED:
            await notify.reopen_topic(uow, ticket)
        await notify.refresh_card(uow, ticket)
    else:
        await _open_topic(uow, svc, ticket, now)
    await notify.refresh_card(uow, incident)
    terms = await svc.terms(uow, ticket.client_code)
    due = notify.dues(ticket, terms.client, now)
    assert ticket.id is not None
    notify.to_user(
        uow,
        ticket,
        "incident_separate_user",
        markup=None if had_topic else keyboards.registered(ticket.id),
        incident=incident.number,
        owner=await notify.owner_name(uow, ticket),
        priority=ticket.priority.value,
        category=ticket.category.value,
        reaction=due["reaction"],
        resolution=due["resolution"],
    )
    return ticket


# -- what a report's user does -----------------------------------------------------------------


async def own_report(uow: UnitOfWork, report_id: int, user_id: int) -> tuple[Ticket, store.Report]:
    """The report ``report_id`` if it is ``user_id``'s (``NotAllowed`` otherwise: button
    data is untrusted, ARCHITECTURE.md invariant 4)."""
    ticket = await uow.tickets.get_by_id(report_id)
    row = await uow.incidents.report_of(report_id)
    if ticket.requester_id != user_id or row is None:
        raise NotAllowed(f"{report_id} is not a report of {user_id}")
    return ticket, row


class Answer(StrEnum):
    DONE = "done"
    STALE = "stale"  # the button no longer applies (separate already, not resolved yet)


async def other(
    uow: UnitOfWork, svc: TicketService, report_id: int, user_id: int, now: datetime
) -> Answer:
    """«У меня другое»: the report becomes a ticket of its own, registered as any."""
    ticket, row = await own_report(uow, report_id, user_id)
    if row.state is not ReportState.LINKED:
        return Answer.STALE
    incident = await uow.tickets.get_by_id(row.incident_id)
    await _separate(uow, svc, incident, ticket, Actor.user(user_id), now)
    if incident.status in OPEN_STATUSES:
        await notify.to_topic(
            uow, incident, "incident_left", name=await _name(uow, ticket), report=ticket.number,
            again=False,
        )  # fmt: skip
    return Answer.DONE


async def more(uow: UnitOfWork, report_id: int, user_id: int) -> Answer:
    """«Добавить подробности»: what the user writes next goes to the incident's topic."""
    ticket, row = await own_report(uow, report_id, user_id)
    if row.state is not ReportState.LINKED:
        return Answer.STALE
    incident = await uow.tickets.get_by_id(row.incident_id)
    notify.to_user(uow, ticket, "incident_more", incident=incident.number)
    return Answer.DONE


async def again(
    uow: UnitOfWork, svc: TicketService, report_id: int, user_id: int, now: datetime
) -> Answer:
    """«У меня всё ещё не работает» after the resolution: the user's own report is
    reopened as a ticket of its own (topic, card, owner called)."""
    ticket, row = await own_report(uow, report_id, user_id)
    if row.state is not ReportState.TOLD or ticket.status not in (Status.RESOLVED, Status.CLOSED):
        return Answer.STALE
    incident = await uow.tickets.get_by_id(row.incident_id)
    # the user may not reopen a closed ticket themselves: the product does, on their word
    ticket = await svc.reopen(uow, report_id, Actor.system(), reasons.STILL_BROKEN)
    await _separate(uow, svc, incident, ticket, Actor.user(user_id), now)
    if incident.status in OPEN_STATUSES or incident.status is Status.RESOLVED:
        await notify.to_topic(
            uow, incident, "incident_left", name=await _name(uow, ticket), report=ticket.number,
            again=True,
        )  # fmt: skip
    return Answer.DONE


async def _staff_chat(uow: UnitOfWork, ticket: Ticket) -> int:
    client = await uow.directory.client(ticket.client_code)
    return (await uow.directory.team(client.team)).chat_id


async def _name(uow: UnitOfWork, ticket: Ticket) -> str:
    user = await uow.users.get(ticket.requester_id)
    return user.first_name if user else str(ticket.requester_id)


async def follow_up(
    uow: UnitOfWork,
    ticket: Ticket,
    msg: Incoming,
    now: datetime,
    offer_new: bool,
    acknowledge: bool,
) -> bool:
    """A message of a report's user (a report with no topic of its own): into the
    incident's topic, under the user's name and the report's number; False for any other
    ticket (``bot.services.intake.follow_up`` goes on)."""
    assert ticket.id is not None
    row = await uow.incidents.report_of(ticket.id)
    if row is None or row.state is not ReportState.LINKED:
        return False
    if await uow.messaging.topic_of(ticket.id) is not None:
        return False  # a ticket linked with its topic keeps its conversation there
    incident = await uow.tickets.get_by_id(row.incident_id)
    await uow.messaging.add_user_message(
        ticket.id, msg.chat_id, msg.message_id, msg.user_id, msg.shown, now
    )
    chat = await _staff_chat(uow, incident)
    name = await _name(uow, ticket)
    html = texts.render("incident_report_says", name=name, report=ticket.number, body=msg.html)
    if msg.has_media:
        enqueue.copy(uow, chat, msg.chat_id, msg.message_id, caption=html, ticket_id=incident.id,
            media=msg.media, topic=True,
        )  # fmt: skip
    else:
        enqueue.send(uow, chat, html, ticket_id=incident.id, topic=True)
    if acknowledge and msg.media_group_id is None:
        markup = keyboards.incident_known(ticket.id, details=False) if offer_new else None
        notify.to_user(uow, ticket, "incident_details_added", markup=markup,
                       incident=incident.number)  # fmt: skip
    return True


# -- resolution ------------------------------------------------------------------------------


async def resolved(
    uow: UnitOfWork,
    svc: TicketService,
    ticket: Ticket,
    now: datetime,
    comment: str | None = None,
    *,
    wide: bool = True,
) -> None:
    """``ticket`` was just resolved: if it is a mass incident, its linked users are to be
    told (``tell_resolution``) and the topic says how many; the other clients' parts of a
    contractor-wide incident are resolved with it (``wide``)."""
    assert ticket.id is not None
    mass = await uow.incidents.mass_of(ticket.id)
    if mass is None:
        return
    await uow.incidents.mark_resolved(ticket.id, now, comment)
    count = (await uow.incidents.counts([ticket.id])).get(ticket.id, store.Count())
    left = await uow.incidents.linked_left(ticket.id)
    if left:
        await notify.to_topic(uow, ticket, "incident_resolving", reports=left, users=count.users)
    if not wide or mass.wide_id is None:
        return
    for part in await uow.incidents.wide_part(mass.wide_id):
        other = await uow.tickets.get_by_id(part)
        if part == ticket.id or other.status not in OPEN_STATUSES:
            continue
        other = await svc.resolve(uow, part, Actor.system(), reasons.WITH_INCIDENT)
        await notify.refresh_card(uow, other)
        await resolved(uow, svc, other, now, comment, wide=False)


async def tell_resolution(uow: UnitOfWork, svc: TicketService, now: datetime) -> int:
    """Tell up to ``NOTICE_CHUNK`` linked users their incident's resolution, once each,
    and close their reports with it; how many were told."""
    told = 0
    incidents: dict[int, tuple[Ticket, store.Mass]] = {}
    for report_id, incident_id in await uow.incidents.to_tell(rules.NOTICE_CHUNK):
        row = await uow.incidents.lock_report(report_id)
        if row is None or row.state is not ReportState.LINKED:
            continue  # another instance told it meanwhile
        if incident_id not in incidents:
            mass = await uow.incidents.mass_of(incident_id)
            assert mass is not None
            incidents[incident_id] = (await uow.tickets.get_by_id(incident_id), mass)
        incident, mass = incidents[incident_id]
        report = await uow.tickets.get_by_id(report_id)
        if report.status in OPEN_STATUSES:
            report = await svc.resolve(uow, report_id, Actor.system(), reasons.WITH_INCIDENT)
        if report.status is Status.RESOLVED:
            report = await svc.close(uow, report_id, Actor.system(), reasons.WITH_INCIDENT)
        if await uow.messaging.topic_of(report_id) is not None:
            await notify.refresh_card(uow, report)  # (closes its topic)
        notify.to_user(
            uow,
            report,
            "incident_resolved",
            markup=keyboards.incident_resolved(report_id),
            incident=incident.number,
            subject=incident.subject,
            comment=mass.resolution,
        )
        await uow.incidents.set_state(report_id, ReportState.TOLD, told_at=now)
        told += 1
    return told


# -- the topic's lines -------------------------------------------------------------------------


async def post_lines(uow: UnitOfWork, now: datetime) -> int:
    """One «+N сообщений о проблеме: …» line per incident whose reports waited long enough
    (``desk.incidents.line_due``); how many lines were queued."""
    posted = 0
    for pending in await uow.incidents.pending_lines():
        if not rules.line_due(pending.oldest, pending.last_line_at, now):
            continue
        lines = await uow.incidents.take_lines(pending.incident_id, now)
        incident = await uow.tickets.get_by_id(pending.incident_id)
        if not lines or incident.status not in OPEN_STATUSES:
            continue
        shown = lines[: rules.NAMES_SHOWN]
        await notify.to_topic(
            uow, incident, "incident_lines", lines=shown, total=len(lines),
            more=len(lines) - len(shown),
        )  # fmt: skip
        await notify.refresh_card(uow, incident)
        posted += 1
    return posted


# -- merges the bot proposes -----------------------------------------------------------------------


async def propose_merges(
    uow: UnitOfWork, svc: TicketService, analyzer: Analyzer, now: datetime
) -> int:
    """Propose merging in the first one's topic wherever a client has ``propose_after``
    similar requests within ``propose_within``; how many proposals were made."""
    terms = await uow.ops.client_terms()
    longest = max((t.incidents.window for t in terms.values()), default=None)
    if longest is None:
        return 0
    recent = await uow.incidents.recent_requests(now - longest)
    if not recent:
        return 0
    taken = await uow.incidents.proposed_since(now - 2 * longest)
    clients = await uow.incidents.client_of_tickets([o.ticket_id for o in recent])
    by_client: dict[str, list[store.Open]] = {}
    for o in recent:
        by_client.setdefault(clients[o.ticket_id], []).append(o)
    made = 0
    for code, tickets in by_client.items():
        contract = terms.get(code)
        if contract is None:
            continue
        found = {o.ticket_id: o for o in tickets}
        alike = _alike(found, analyzer)
        group = rules.propose(
            [rules.Recent(o.ticket_id, o.created_at) for o in tickets],
            alike,
            contract.incidents,
            now,
            taken,
        )
        if group is None or not await uow.incidents.propose(group, code, now):
            continue
        first = await uow.tickets.get_by_id(group[0])
        await _propose(uow, first, [found[t].number for t in group], contract.incidents)
        made += 1
    return made


def _alike(found: dict[int, store.Open], analyzer: Analyzer) -> Callable[[int, int], bool]:
    def alike(a: int, b: int) -> bool:
        return similarity(found[a].text, [found[b].text], analyzer) >= rules.SIMILAR

    return alike


async def _propose(
    uow: UnitOfWork, first: Ticket, numbers: list[str], incident_rules: rules.IncidentRules
) -> None:
    assert first.id is not None
    chat = await _staff_chat(uow, first)
    html = texts.render(
        "incident_proposal",
        numbers=numbers,
        minutes=incident_rules.propose_within_minutes,
        number=first.number,
    )
    markup = keyboards.incident_proposal(first.id)
    enqueue.send(uow, chat, html, ticket_id=first.id, topic=True, markup=markup)


async def merge(
    uow: UnitOfWork, first: Ticket, staff_id: int, now: datetime
) -> list[tuple[str, Linked]] | None:
    """«Объединить в массовый инцидент»: ``first`` becomes a mass incident and the other
    tickets of the proposal its reports; None if there is no proposal left to accept."""
    assert first.id is not None
    members = await uow.incidents.accept_proposal(first.id, now)
    if members is None:
        return None
    if first.status not in OPEN_STATUSES:
        return []
    await declare(uow, first, Actor.staff(staff_id), Origin.PROPOSAL, now, announce=False)
    results = []
    for member in members[1:]:
        ticket = await uow.tickets.get_by_id(member)
        results.append((ticket.number, await link(uow, first, ticket, staff_id, now)))
    return results
