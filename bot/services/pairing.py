"""One person on two messengers (desk.channels): ``/connect`` gives a one-time link to
open in the other messenger; opening it ties that chat to the person, so their
requests from either are theirs (``/my`` lists both) and each ticket answers where
it was written."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot import texts
from bot.outbox import enqueue
from desk.channels import Channel, channel_of, start_link
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class BotNames:
    """The bots' usernames, for links (None: that messenger is not served here)."""

    telegram: str | None = None
    max: str | None = None

    def of(self, channel: Channel) -> str | None:
        return self.max if channel is Channel.MAX else self.telegram


async def offer(uow: UnitOfWork, chat_id: int, person: int, names: BotNames, now: datetime) -> None:
    """Answer ``/connect`` in ``chat_id``: a link for each other messenger served here."""
    if await uow.users.get(person) is None:
        enqueue.send(uow, chat_id, texts.render("not_bound"))
        return
    here = channel_of(chat_id)
    others = [c for c in Channel if c is not here and names.of(c)]
    if not others:
        enqueue.send(uow, chat_id, texts.render("connect_none"))
        return
    code = await uow.channels.new_pairing(person, now)
    links = [(c.label, start_link(c, names.of(c) or "", code)) for c in others]
    enqueue.send(uow, chat_id, texts.render("connect_offer", links=links))


async def take(uow: UnitOfWork, chat_id: int, code: str, now: datetime) -> bool:
    """``/start <code>`` with a pairing code: tie this chat to the code's person and
    say so; False when ``code`` is no pairing code (it may be an invite)."""
    found, person = await uow.channels.take_pairing(code, now)
    if not found:
        return False
    if person is None:
        enqueue.send(uow, chat_id, texts.render("connect_expired"))
        return True
    user = await uow.users.get(person)
    if user is None or channel_of(chat_id) is channel_of(person):
        enqueue.send(uow, chat_id, texts.render("connect_expired"))
        return True
    await uow.channels.tie(chat_id, person, now)
    client = await uow.directory.client(user.client_code)
    html = texts.render("connect_done", name=user.first_name, client=client.name)
    enqueue.send(uow, chat_id, html)
    return True
