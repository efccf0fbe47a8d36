"""The composition root: every long-lived object is built here and nowhere else.

``compose(settings)`` gives an ``App``: the database (engine + unit-of-work
factory), the knowledge base, the ``Bot`` (real Telegram, or any Bot API
server such as the sandbox through ``settings.telegram_api_url``) with the
rate limiter on its session, the outbox sender, and the ``Dispatcher`` whose
workflow data (``WorkflowData``) reaches handlers as keyword arguments.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypedDict

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.enums import ParseMode
from maxapi import Bot as MaxBot

from bot.channels.max_session import MaxSession, MidBook
from bot.handlers import build_router
from bot.instance import holder
from bot.middlewares.db import UnitOfWorkMiddleware
from bot.middlewares.person import PersonMiddleware
from bot.outbox.deliver import Deliverer
from bot.outbox.ratelimit import MAX_LIMITS, UNLIMITED, Limits, RateLimiter
from bot.outbox.sender import OutboxSender
from bot.reader import UpdateReader
from bot.services.cards import card_source
from bot.services.pairing import BotNames
from bot.services.tickets import TicketService
from bot.session import KeepResponseModels, LateAnswers, make_session
from bot.settings import Settings
from knowledge.base import KnowledgeBase
from knowledge.embedding import Embedder, HttpEmbedder, LocalE5
from storage.database import Database


class WorkflowData(TypedDict):
    """What every handler may ask for by name (besides aiogram's own and ``uow``)."""

    settings: Settings
    kb: KnowledgeBase
    tickets: TicketService
    sender: OutboxSender
    now: Callable[[], datetime]
    bot_names: BotNames  # set again once the bots answered getMe (bot.app.run_app)


class MissingToken(RuntimeError):
    """No bot token: set SUPPORTDESK_BOT_TOKEN (or run `supportdesk demo`)."""


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class MaxChannel:
    """The MAX side (``bot.channels``): the ``maxapi`` client, the aiogram bot whose
    session speaks MAX (what handlers and the outbox call), its limiter and reader."""

    client: MaxBot
    bot: Bot
    limiter: RateLimiter
    reader: UpdateReader


@dataclass
class App:
    settings: Settings
    db: Database
    kb: KnowledgeBase
    bot: Bot
    dispatcher: Dispatcher
    limiter: RateLimiter
    sender: OutboxSender
    updates: UnitOfWorkMiddleware
    reader: UpdateReader
    tickets: TicketService
    now: Callable[[], datetime]
    max: MaxChannel | None = None

    def sender_now(self) -> datetime:
        return self.now()

    async def close(self) -> None:
        await self.bot.session.close()
        if self.max is not None:
            await self.max.bot.session.close()
        await self.db.close()


def make_bot(settings: Settings, limiter: RateLimiter) -> Bot:
    if settings.bot_token is None:
        raise MissingToken("SUPPORTDESK_BOT_TOKEN is not set (or run `supportdesk demo`)")
    session = make_session(settings.telegram_api_url, LateAnswers(), KeepResponseModels(), limiter)
    return Bot(
        token=settings.bot_token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )


def make_max(settings: Settings, database: Database, limits: Limits | None) -> MaxChannel | None:
    """The MAX side when ``SUPPORTDESK_MAX_TOKEN`` is set (None: Telegram alone)."""
    if settings.max_token is None:
        return None
    token = settings.max_token.get_secret_value()
    client = MaxBot(token, auto_check_subscriptions=False, after_input_media_delay=0.0)
    if settings.max_api_url:
        client.set_api_url(settings.max_api_url)
    limiter = RateLimiter(limits or (MAX_LIMITS if settings.flood_limits else UNLIMITED))
    session = MaxSession(client, mid_book(database))
    session.middleware(LateAnswers())
    session.middleware(limiter)
    # aiogram wants a token shaped "<id>:<secret>"; the id names this bot in update claims
    digest = int(hashlib.sha256(token.encode()).hexdigest()[:12], 16)
    bot = Bot(token=f"{digest}:max", session=session)
    return MaxChannel(client, bot, limiter, UpdateReader(bot, database.uow, _utcnow))


def mid_book(database: Database) -> MidBook:
    """MAX message ids kept in the database (``storage.channels``), each in its own
    short transaction: the sender writes one per message sent."""

    async def book(chat_key: int, seq: int, mid: str | None) -> str | None:
        async with database.uow() as uow:
            if mid is not None:
                await uow.channels.remember_mid(chat_key, seq, mid, _utcnow())
                return mid
            return await uow.channels.mid_of(chat_key, seq)

    return book


def embedder_of(settings: Settings) -> Embedder | None:
    """The FAQ's embedder as the settings choose it (None: words only)."""
    if settings.faq_embeddings == "local":
        return LocalE5()
    if settings.faq_embeddings == "http" and settings.faq_embeddings_url:
        key = settings.faq_embeddings_key
        return HttpEmbedder(
            settings.faq_embeddings_url,
            settings.faq_embeddings_model,
            api_key=key.get_secret_value() if key else None,
            dim=settings.faq_embeddings_dim,
        )
    return None


def knowledge_base(settings: Settings) -> KnowledgeBase:
    """The FAQ; its vectors are built in the background (words answer until then)."""
    path = settings.knowledge_path
    vectors = settings.faq_vector_dir or (path / ".vectors" if path.is_dir() else None)
    return KnowledgeBase(path, embedder=embedder_of(settings), vector_dir=vectors, background=True)


async def compose(
    settings: Settings,
    *,
    db: Database | None = None,
    kb: KnowledgeBase | None = None,
    now: Callable[[], datetime] = _utcnow,
    limits: Limits | None = None,
) -> App:
    """Build the application; ``db`` and ``kb`` may be given (tests share them);
    ``limits`` replaces Telegram's flood limits (benchmarks against a sandbox without them)."""
    database = db or await Database.open(settings.database_url)  # queued on SQLite
    knowledge = kb or knowledge_base(settings)
    limiter = RateLimiter(limits or (Limits() if settings.flood_limits else UNLIMITED))
    bot = make_bot(settings, limiter)
    tickets = TicketService(now)
    max_channel = make_max(settings, database, limits)
    deliverer = Deliverer(
        bot, database.uow, card_source(tickets), max_channel.bot if max_channel else None
    )
    sender = OutboxSender(database.uow, deliverer, now=now, holder=holder(settings.instance))
    data: WorkflowData = {
        "settings": settings,
        "kb": knowledge,
        "tickets": tickets,
        "sender": sender,
        "now": now,
        "bot_names": BotNames(),
    }
    dispatcher = Dispatcher(**data)
    updates = UnitOfWorkMiddleware(database.uow, sender.wake)
    dispatcher.update.outer_middleware(updates)
    dispatcher.update.outer_middleware(PersonMiddleware())  # a person first known on MAX
    dispatcher.include_router(build_router())
    reader = UpdateReader(bot, database.uow, now)
    return App(
        settings,
        database,
        knowledge,
        bot,
        dispatcher,
        limiter,
        sender,
        updates,
        reader,
        tickets,
        now,
        max_channel,
    )
