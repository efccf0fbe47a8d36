"""What a ticket's card shows of the catalogue: the request type, the form's answers as
a list, and the approval (who was asked, who decided and when, how long it waited)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from desk.catalogue import Catalogue, ClientPeople
from desk.config import DeskConfig
from desk.model import Ticket
from desk.timefmt import DueWords, due_of
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class ApprovalFacts:
    kind: str  # request | design
    state: str  # pending | approved | refused
    asked: list[str]  # names
    by: str | None  # who decided
    at: DueWords | None  # when asked (pending) or decided
    reason: str | None
    waited_minutes: int | None
    reminded: bool
    escalated: bool
    design: str | None  # the design's file name


@dataclass(frozen=True)
class CardFacts:
    title: str | None
    lines: list[tuple[str, str]]
    approval: ApprovalFacts | None


def person_name(config: DeskConfig, client_code: str, telegram_id: int) -> str:
    """A client's person by the name the config gives (their id if none does)."""
    people = config.people.get(client_code, ClientPeople())
    return people.name_of(telegram_id) or str(telegram_id)


async def card_facts(
    uow: UnitOfWork, config: DeskConfig, ticket: Ticket, timezone: str, now: datetime
) -> CardFacts | None:
    """The catalogue's part of the card; None for a ticket without a form or approval."""
    assert ticket.id is not None
    form = await uow.catalogue.ticket_form(ticket.id)
    rounds = [r for r in await uow.catalogue.approvals_of(ticket.id) if r.state != "superseded"]
    if form is None and not rounds:
        return None
    title = None
    if form is not None:
        client = config.clients.get(ticket.client_code)
        contract = client.contract if client else ""
        found = config.catalogues.get(contract, Catalogue()).get(form.type_code)
        title = found.title if found else form.type_code
    approval = None
    if rounds:
        last = rounds[-1]

        def name(telegram_id: int) -> str:
            return person_name(config, ticket.client_code, telegram_id)

        moment = last.decided_at or last.requested_at
        approval = ApprovalFacts(
            kind=last.kind,
            state=last.state,
            asked=[name(i) for i in last.asked],
            by=None if last.decided_by is None else name(last.decided_by),
            at=due_of(moment, now, timezone),
            reason=last.reason,
            waited_minutes=last.waited_minutes,
            reminded=last.reminded_at is not None,
            escalated=last.escalated_at is not None,
            design=last.design_name,
        )
    return CardFacts(title, form.lines if form else [], approval)
