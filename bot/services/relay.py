"""Messages written in a ticket's topic: to the user, or kept for staff.

- a consultant's message reaches the user, copied (media included) under the
  consultant's name; the first one records the SLA reaction and moves a new
  ticket to «в работе»;
- a message starting with ``!`` (or ``/note``) is a note for staff only;
- a message starting with ``/`` is a command, known or not: it never reaches
  the user and is not kept (``bot.handlers.staff.messages`` answers it);
- a line-2 engineer's message stays in the topic until the owner passes it on
  (``/pass`` in reply to it): the client speaks with consultants.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from bot import texts
from bot.outbox import enqueue
from bot.services import notify
from bot.services.actors import Actor
from bot.services.incoming import Incoming
from bot.services.tickets import TicketService
from desk.enums import Status
from desk.errors import NotAllowed
from desk.model import Line, Staff, Ticket
from knowledge.base import KnowledgeBase
from knowledge.entry import Entry
from knowledge.writer import save_entry
from storage import messaging
from storage.uow import UnitOfWork

NOTE_PREFIX = "!"


def is_note(msg: Incoming) -> bool:
    return msg.text.lstrip().startswith(NOTE_PREFIX)


def is_command(msg: Incoming) -> bool:
    return msg.text.lstrip().startswith("/")


async def from_staff(
    uow: UnitOfWork,
    svc: TicketService,
    ticket: Ticket,
    staff: Staff,
    msg: Incoming,
    now: datetime,
) -> None:
    """Relay a staff message written in the topic, or keep it internal.

    Only what reaches the user counts as the reaction: never a command, a note
    or a line-2 engineer's message.
    """
    assert ticket.id is not None
    if is_command(msg):
        return
    internal = is_note(msg) or staff.line is Line.TWO
    author = "note" if is_note(msg) else ("engineer" if staff.line is Line.TWO else "staff")
    kind = "media" if msg.has_media else "text"
    await uow.messaging.add_link(
        messaging.MessageLink(
            chat_id=msg.chat_id,
            message_id=msg.message_id,
            ticket_id=ticket.id,
            author=f"{author}:{kind}",
            author_id=staff.telegram_id,
            public=False,
            text=msg.html,
            at=now,
        ),
    )
    if internal:
        return
    await _to_user(
        uow,
        svc,
        ticket,
        staff,
        msg.chat_id,
        msg.message_id,
        msg.html,
        msg.shown,  # as the user's history shows it: «фото», «документ: имя.pdf»
        media=msg.has_media,
        files=msg.media,
        now=now,
    )


async def pass_on(
    uow: UnitOfWork,
    svc: TicketService,
    ticket: Ticket,
    staff: Staff,
    chat_id: int,
    message_id: int,
    now: datetime,
) -> None:
    """The owner passes an engineer's (or a noted) message on to the user, under their name."""
    link = await uow.messaging.link_of(chat_id, message_id)
    if (
        link is None
        or link.ticket_id != ticket.id
        or not link.author.startswith(("engineer", "note"))
    ):
        raise NotAllowed("only an engineer's message or a note in this topic can be passed on")
    if staff.telegram_id != ticket.owner_id:
        raise NotAllowed(f"only the owner of {ticket.number} passes messages on")
    html = link.text or ""
    if link.author.startswith("note"):
        html = html.lstrip()[len(NOTE_PREFIX) :].lstrip()
    await _to_user(
        uow,
        svc,
        ticket,
        staff,
        chat_id,
        message_id,
        html,
        html,
        media=link.author.endswith(":media"),
        now=now,
    )


async def _to_user(
    uow: UnitOfWork,
    svc: TicketService,
    ticket: Ticket,
    staff: Staff,
    chat_id: int,
    message_id: int,
    html: str,
    text: str,
    *,
    media: bool,
    files: Sequence[Mapping[str, Any]] = (),
    now: datetime,
) -> None:
    assert ticket.id is not None
    seen = enqueue.link("staff", staff.telegram_id, public=True, text=text)
    relay_of = enqueue.relay("staff", chat_id, message_id)  # a failure is told in the topic
    if media:
        enqueue.copy(
            uow,
            ticket.user_chat,
            chat_id,
            message_id,
            caption=texts.render("staff_caption", name=staff.name, number=ticket.number, body=html),
            ticket_id=ticket.id,
            media=files,
            link_as=seen,
            relay_of=relay_of,
        )
    else:
        enqueue.send(
            uow,
            ticket.user_chat,
            texts.render("staff_reply", name=staff.name, number=ticket.number, body=html),
            ticket_id=ticket.id,
            link_as=seen,
            relay_of=relay_of,
        )
    ref, actor = ticket.id, Actor.staff(staff.telegram_id)
    changed = False
    if ticket.sla is not None and ticket.sla.reacted_at is None:
        ticket = await svc.record_reaction(uow, ref, actor)
        changed = True
    if ticket.status is Status.NEW and staff.line is Line.ONE:  # answering is taking it up
        ticket = await svc.change_status(uow, ref, actor, Status.IN_PROGRESS)
        changed = True
    if changed:
        await notify.refresh_card(uow, ticket)


async def save_faq(
    uow: UnitOfWork,
    kb: KnowledgeBase,
    ticket: Ticket,
    chat_id: int,
    message_id: int,
) -> Entry:
    """Turn a consultant's answer in the topic into an FAQ entry, live at once."""
    link = await uow.messaging.link_of(chat_id, message_id)
    if (
        link is None
        or link.ticket_id != ticket.id
        or not link.author.startswith("staff")
        or not link.text
    ):
        raise NotAllowed("reply /faq to a consultant's answer in this ticket's topic")
    directory = kb.path if kb.path.is_dir() else Path(kb.path).parent
    entry = Entry(
        id="",
        title=ticket.subject,
        answer=link.text,
        questions=(ticket.text[:500],) if ticket.text != ticket.subject else (),
        category=ticket.category.value,
    )
    path = save_entry(directory, entry)
    kb.reload()
    saved = kb.get(path.stem) or entry
    await uow.drafts.note_faq_answer(ticket.id or 0, saved.id or path.stem)
    return saved
