"""Request forms in the user's chat: ``/new`` and its types, a form offered for a first
message that clearly asks for one, one question a message, and the ticket registered
from the answers (its subject built from them, its card listing them).

A form lives in the database (``storage.catalogue``: ``form_drafts``), so one left
half-filled survives a restart; its buttons name the form and the question, so a press
on an older question is refused as stale. The user hears back through ``reply`` (the
chat they wrote or pressed in) and, once the ticket exists, ``notify.to_user``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot import keyboards, texts
from bot.outbox import enqueue
from bot.services import approvals, catalogue_card, form_offer, intake, notify
from bot.services.cards import render_card
from bot.services.form_offer import catalogue_of, reply
from bot.services.incoming import Incoming
from bot.services.tickets import TicketService
from desk.catalogue import (
    FieldKind,
    FormField,
    Refusal,
    RequestType,
    answer_lines,
    attachment_answer,
    build_subject,
    date_refusal_label,
    form_text,
    read_answer,
    shown,
)
from desk.intake import guess
from desk.model import SlaTarget, Ticket, User
from knowledge.base import KnowledgeBase
from storage.catalogue import FormDraft
from storage.uow import UnitOfWork

OFFER_WAIT = intake.FAQ_WAIT
"""A form offer nobody answers: the message is registered as it is this long after."""


# -- /new and the offer ------------------------------------------------------------


async def show_types(uow: UnitOfWork, svc: TicketService, user: User, chat_id: int) -> None:
    """``/new``: the contract's request types as buttons (none: describe it in a message)."""
    catalogue = await catalogue_of(uow, svc, user.client_code)
    if not catalogue.types:
        reply(uow, chat_id, texts.render("new_no_types"))
        return
    markup = keyboards.request_types([(t.code, t.title) for t in catalogue.types])
    reply(uow, chat_id, texts.render("new_types"), markup)


async def choose(
    uow: UnitOfWork, svc: TicketService, user: User, code: str, chat_id: int, now: datetime
) -> bool:
    """A type chosen under ``/new``: its first question, or (no form) today's path: the
    user describes it in a message. False: no such type in the user's contract."""
    form_type = (await catalogue_of(uow, svc, user.client_code)).get(code)
    if form_type is None:
        return False
    if not form_type.has_form:
        await uow.catalogue.drop_form(user.telegram_id)
        reply(uow, chat_id, texts.render("free_type", title=form_type.title))
        return True
    await uow.drafts.stop_awaiting(user.telegram_id)
    form = await uow.catalogue.start_form(
        user_id=user.telegram_id,
        chat_id=chat_id,
        client_code=user.client_code,
        type_code=code,
        state="filling",
        now=now,
    )
    _ask(uow, form, form_type)
    return True


async def settle_offer(uow: UnitOfWork, svc: TicketService, user: User, now: datetime) -> None:
    """Register as it is the message held under the user's unanswered form offer."""
    held = await form_offer.claim_offer(uow, user.telegram_id)
    if held is not None:
        await intake.register(uow, svc, user, intake.from_draft(held, user), now)


async def register_idle(uow: UnitOfWork, svc: TicketService, now: datetime) -> int:
    """Register as they are the messages whose form offer nobody answered for
    ``OFFER_WAIT``; how many."""
    done = 0
    for form in await uow.catalogue.idle_offers(now - OFFER_WAIT):
        user = await uow.users.get(form.user_id)
        held = None if user is None else await form_offer.claim_offer(uow, form.user_id)
        if user is not None and held is not None:
            await intake.register(uow, svc, user, intake.from_draft(held, user), now)
            done += 1
    return done


async def _as_is(
    uow: UnitOfWork, svc: TicketService, kb: KnowledgeBase, user: User, now: datetime
) -> bool:
    """«Отправить как есть»: the held message takes today's path (FAQ, a ticket)."""
    held = await form_offer.claim_offer(uow, user.telegram_id)
    if held is None:
        return False
    await intake.faq_or_register(uow, svc, kb, user, held.id, now)
    return True


# -- filling in --------------------------------------------------------------------


@dataclass(frozen=True)
class Press:
    action: str  # fill | asis | pick | skip | back | cancel | send
    step: int
    value: int


async def press(
    uow: UnitOfWork,
    svc: TicketService,
    kb: KnowledgeBase,
    user: User,
    form: FormDraft,
    pressed: Press,
    chat_id: int,
    now: datetime,
) -> bool:
    """A button under the form's current message; False: a stale press (changes nothing)."""
    form_type = (await catalogue_of(uow, svc, user.client_code)).get(form.type_code)
    if form_type is None or not form_type.has_form:  # the config changed under the form
        await uow.catalogue.drop_form(user.telegram_id)
        reply(uow, chat_id, texts.render("form_cancelled"))
        return True
    if form.state == "offered":
        if pressed.action == "asis":
            return await _as_is(uow, svc, kb, user, now)
        if pressed.action != "fill":
            return False
        if form.draft_id is not None:
            await uow.drafts.claim_draft(form.draft_id, ("form",), "done")
        form = await _save(uow, form, "filling", 0, form.answers, now)
        _ask(uow, form, form_type)
        return True
    if pressed.step != form.step or pressed.action in ("fill", "asis"):
        return False
    if pressed.action == "cancel":
        await uow.catalogue.drop_form(user.telegram_id)
        reply(uow, chat_id, texts.render("form_cancelled"))
        return True
    if pressed.action == "back":
        step = max(0, form.step - 1)
        _ask(uow, await _save(uow, form, "filling", step, form.answers, now), form_type)
        return True
    if form.step >= len(form_type.fields):  # the summary
        if pressed.action != "send":
            return False
        await submit(uow, svc, user, form, form_type, now)
        return True
    field = form_type.fields[form.step]
    if pressed.action == "skip" and not field.required:
        await _accept(uow, form, form_type, None, now)
        return True
    if pressed.action == "pick":
        words = quick_answers(field)
        if pressed.value >= len(words):
            return False
        await take_text(uow, svc, user, form, words[pressed.value], now)
        return True
    return False


async def take_message(
    uow: UnitOfWork, svc: TicketService, user: User, form: FormDraft, msg: Incoming, now: datetime
) -> None:
    """A message while a form is being filled: the answer to its current question."""
    form_type = (await catalogue_of(uow, svc, user.client_code)).get(form.type_code)
    if form_type is None:
        return
    if form.step >= len(form_type.fields):  # at the summary: it waits for a button
        _ask(uow, form, form_type)
        return
    field = form_type.fields[form.step]
    if field.kind is FieldKind.ATTACHMENT:
        answer = attachment_answer(msg.media, msg.chat_id, msg.message_id)
        if isinstance(answer, Refusal):
            _refuse(uow, form, form_type, field, answer)
            return
        await _accept(uow, form, form_type, answer, now)
        return
    await take_text(uow, svc, user, form, msg.text, now)


async def take_text(
    uow: UnitOfWork, svc: TicketService, user: User, form: FormDraft, text: str, now: datetime
) -> None:
    form_type = (await catalogue_of(uow, svc, user.client_code)).get(form.type_code)
    if form_type is None or form.step >= len(form_type.fields):
        return
    field = form_type.fields[form.step]
    answer = read_answer(field, text, form.answers, now.date())
    if isinstance(answer, Refusal):
        _refuse(uow, form, form_type, field, answer)
        return
    await _accept(uow, form, form_type, answer, now)


def quick_answers(field: FormField) -> list[str]:
    """What a question's buttons answer, as if typed (their labels: ``_labels``)."""
    if field.kind is FieldKind.CHOICE:
        return list(field.options)
    if field.kind is FieldKind.DATE:
        return ["сегодня", "завтра"]
    if field.kind is FieldKind.YESNO:
        return ["да", "нет"]
    return []


def _labels(field: FormField) -> list[str]:
    today, tomorrow, yes, no = texts.lines("form_quick_buttons")
    if field.kind is FieldKind.DATE:
        return [today, tomorrow]
    if field.kind is FieldKind.YESNO:
        return [yes, no]
    return quick_answers(field)


async def _accept(
    uow: UnitOfWork, form: FormDraft, form_type: RequestType, answer: Any, now: datetime
) -> None:
    field = form_type.fields[form.step]
    answers = {**form.answers, field.name: answer}
    _ask(uow, await _save(uow, form, "filling", form.step + 1, answers, now), form_type)


def _refuse(
    uow: UnitOfWork, form: FormDraft, form_type: RequestType, field: FormField, why: Refusal
) -> None:
    html = texts.render(
        "form_invalid",
        reason=why.reason,
        other=date_refusal_label(form_type, why),
        required=field.required,
    )
    reply(uow, form.chat_id, html)
    _ask(uow, form, form_type)


async def _save(
    uow: UnitOfWork, form: FormDraft, state: str, step: int, answers: dict[str, Any], now: datetime
) -> FormDraft:
    await uow.catalogue.save_form(form.id, state=state, step=step, answers=answers, now=now)
    return FormDraft(
        form.id, form.user_id, form.chat_id, form.client_code, form.type_code, state, step,
        dict(answers), form.draft_id, form.first_text, now,
    )  # fmt: skip


def _ask(uow: UnitOfWork, form: FormDraft, form_type: RequestType) -> None:
    """The form's current question (or, past the last one, the summary to send)."""
    total = len(form_type.fields)
    if form.step >= total:
        html = texts.render(
            "form_summary",
            title=form_type.title,
            lines=_lines(form_type, form),
            approvers=None,
        )
        reply(uow, form.chat_id, html, keyboards.form_summary(form.id, form.step))
        return
    field = form_type.fields[form.step]
    current = shown(field, form.answers[field.name]) if field.name in form.answers else None
    html = texts.render(
        "form_prompt",
        title=form_type.title,
        step=form.step + 1,
        total=total,
        prompt=field.prompt,
        kind=field.kind.value,
        required=field.required,
        other=field.other,
        current=current,
    )
    markup = keyboards.form_step(
        form.id, form.step, _labels(field), skip=not field.required, back=form.step > 0
    )
    reply(uow, form.chat_id, html, markup)


def _lines(form_type: RequestType, form: FormDraft) -> list[tuple[str, str]]:
    lines = answer_lines(form_type, form.answers)
    if form.first_text.strip():
        lines.append((texts.render("form_message_label"), form.first_text.strip()))
    return lines


# -- the ticket --------------------------------------------------------------------


async def submit(
    uow: UnitOfWork,
    svc: TicketService,
    user: User,
    form: FormDraft,
    form_type: RequestType,
    now: datetime,
) -> Ticket:
    """Register the ticket from the answers: subject, text, type's priority and targets,
    the answers on the card, attachments into the topic; an approval if the type wants one."""
    if not await uow.catalogue.drop_form(user.telegram_id):
        raise LookupError("the form is gone")  # a second «Отправить»: refused by the caller
    text = form_text(form_type, form.answers, form.first_text)
    priority = form_type.priority or guess(text).priority
    terms = await svc.terms(uow, user.client_code)
    base = terms.target(priority)
    target = SlaTarget(
        form_type.reaction_minutes or base.reaction_minutes,
        None if form_type.design else (form_type.resolution_minutes or base.resolution_minutes),
        base.round_the_clock,
    )
    ticket = await svc.create_ticket(
        uow,
        requester_id=user.telegram_id,
        subject=build_subject(form_type, form.answers),
        text=text,
        priority=priority,
        category=form_type.category,
        reply_chat=form.chat_id,
        target=target,
    )
    ticket_id = ticket.id
    assert ticket_id is not None
    lines = _lines(form_type, form)
    await uow.catalogue.save_ticket_form(ticket_id, form_type.code, form.answers, lines)
    asked: tuple[int, ...] = ()
    if form_type.needs_approval:
        ticket, asked = await approvals.request(uow, svc, ticket, form_type, now)
    team = terms.config.teams[terms.client.team]
    owner = terms.config.staff.get(ticket.owner_id)
    facts = await catalogue_card.card_facts(uow, terms.config, ticket, terms.client.timezone, now)
    card = render_card(ticket, terms.client, user, owner, None, routed=None, now=now, form=facts)
    enqueue.open_topic(uow, team.chat_id, ticket_id, card)
    await notify.alert_p1(uow, svc, ticket, now)
    for value in form.answers.values():
        if isinstance(value, dict) and value.get("file_id"):
            enqueue.copy(
                uow,
                team.chat_id,
                value["chat_id"],
                value["message_id"],
                caption=texts.render("user_caption", name=user.first_name, body=""),
                ticket_id=ticket.id,
                topic=True,
                media=[{"kind": value["kind"], "file_id": value["file_id"]}],
            )
    due = notify.dues(ticket, terms.client, now)
    notify.to_user(
        uow,
        ticket,
        "form_registered",
        subject=ticket.subject,
        owner=owner.name if owner else str(ticket.owner_id),
        priority=ticket.priority.value,
        approvers=await approvals.names(uow, svc, ticket.client_code, asked) if asked else None,
        reaction=due["reaction"],
        resolution=due["resolution"],
    )
    if asked:
        await approvals.ask(uow, svc, ticket, now)
    return ticket
