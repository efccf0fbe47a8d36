"""Running the bot: ``run_bot(settings, stop=event)``.

Long polling by default (``bot.polling``); with ``SUPPORTDESK_WEBHOOK_URL``
set, an aiohttp server takes Telegram's pushes, checking the secret token.
With ``SUPPORTDESK_MAX_TOKEN`` set, MAX's updates are polled beside them
(``bot.channels.max_poller``) into the same dispatcher.
Beside it run the outbox sender and the periodic jobs (closing resolved
tickets nobody confirmed).  Setting ``stop`` ends everything cleanly; pending
outbox rows stay in the database for the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import warnings
from collections.abc import Coroutine, Iterable
from typing import Any

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from bot import texts
from bot.channels.max_poller import TYPES as MAX_TYPES
from bot.channels.max_poller import MaxPoller
from bot.channels.max_webhook import PATH as MAX_WEBHOOK_PATH
from bot.channels.max_webhook import MaxWebhook
from bot.compose import App, compose
from bot.instance import AnotherPoller, PollLease, drop_dead_holders, holder
from bot.jobs.faq_digest import run_faq_jobs
from bot.jobs.housekeeping import run_jobs
from bot.jobs.incidents import run_incident_jobs
from bot.jobs.sla import run_sla_jobs
from bot.polling import poll
from bot.reader import UpdateReader
from bot.services import staff_help
from bot.services.pairing import BotNames
from bot.settings import Settings

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram/webhook"


async def set_commands(bot: Bot, staff_chats: Iterable[int] = ()) -> None:
    """The command menus: for clients (private chats) Russian first, English for
    English-language clients; for each team's staff group its staff commands.

    A group the bot cannot reach (not added yet, a wrong id in the config) is
    logged and skipped: the bot still starts.
    """
    for language, template in ((None, "commands_ru"), ("en", "commands_en")):
        commands = []
        for line in texts.lines(template):
            name, _, description = line.partition(" - ")
            commands.append(BotCommand(command=name.strip(), description=description.strip()))
        await bot.set_my_commands(
            commands, scope=BotCommandScopeAllPrivateChats(), language_code=language
        )
    staff_menu = [
        BotCommand(command=c.name, description=c.description) for c in staff_help.commands()
    ]
    for chat_id in staff_chats:
        try:
            await bot.set_my_commands(staff_menu, scope=BotCommandScopeChat(chat_id=chat_id))
        except TelegramBadRequest as exc:
            log.warning("no staff command menu in chat %s: %s", chat_id, exc.message)


async def _staff_chats(app: App) -> list[int]:
    """The staff groups of the teams in the directory (read at start)."""
    async with app.db.uow() as uow:
        teams = (await uow.directory.load()).teams
    return sorted({team.chat_id for team in teams.values()})


class ReadingRequestHandler(SimpleRequestHandler):
    """aiogram's webhook handler, answering 200 for an update it cannot read.

    aiogram would raise (500) and Telegram would push the same update again
    and again, holding back every update behind it.  The body is read on its
    own (``bot.reader``): an unreadable one is set aside and confirmed.
    """

    def __init__(self, reader: UpdateReader, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.reader = reader

    async def _handle_request(self, bot: Bot, request: web.Request) -> web.Response:
        try:
            raw: object = await request.json(loads=bot.session.json_loads)
        except ValueError as exc:
            await self.reader.record((await request.text())[:4000], exc)
            return web.json_response({})
        update = await self.reader.read(raw)
        if update is None:
            return web.json_response({})
        result: Any = await self.dispatcher.feed_webhook_update(bot, update, **self.data)
        return web.Response(body=self._build_response_writer(bot=bot, result=result))


async def _serve_webhook(app: App, stop: asyncio.Event, max_hook: MaxWebhook | None) -> None:
    """One server for the pushes: Telegram's (``SUPPORTDESK_WEBHOOK_URL``) and MAX's
    (``SUPPORTDESK_MAX_WEBHOOK_URL``), whichever are set."""
    settings = app.settings
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    web_app = web.Application()
    if settings.webhook_url:
        ReadingRequestHandler(
            app.reader,
            dispatcher=app.dispatcher,
            bot=app.bot,
            secret_token=secret,
            handle_in_background=False,
        ).register(web_app, path=WEBHOOK_PATH)
    if max_hook is not None:
        max_hook.register(web_app)
    runner = web.AppRunner(web_app)
    await runner.setup()
    site = web.TCPSite(runner, settings.webhook_host, settings.webhook_port)
    await site.start()
    if settings.webhook_url:
        await app.bot.set_webhook(
            url=settings.webhook_url.rstrip("/") + WEBHOOK_PATH,
            secret_token=secret,
            allowed_updates=app.dispatcher.resolve_used_update_types(),
        )
    if app.max is not None and max_hook is not None:
        max_secret = settings.max_webhook_secret
        max_url = settings.max_webhook_url.rstrip("/") + MAX_WEBHOOK_PATH
        if not max_url.startswith("https://"):
            log.warning("the MAX webhook %s is not HTTPS (MAX itself takes only HTTPS)", max_url)
        with warnings.catch_warnings():  # maxapi's own warning says the same, as an exception
            warnings.simplefilter("ignore", UserWarning)
            await app.max.client.subscribe_webhook(
                max_url,
                update_types=MAX_TYPES,
                secret=max_secret.get_secret_value() if max_secret else None,
            )
    log.info("webhook on %s:%s", settings.webhook_host, settings.webhook_port)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


async def _stop_max_pushes(app: App) -> None:
    """Polling MAX: a subscription left from a webhook run would refuse every poll."""
    assert app.max is not None
    found = await app.max.client.get_subscriptions()
    for subscription in found.subscriptions:
        await app.max.client.unsubscribe_webhook(subscription.url)
        log.info("MAX webhook %s removed: polling now", subscription.url)


async def run_app(app: App, stop: asyncio.Event) -> None:
    """Run a composed app until ``stop`` is set (tests compose their own)."""
    await drop_dead_holders(app.db.uow, app.settings.instance)  # a crashed run's leases
    me = await app.bot.get_me()
    log.info("bot @%s (%s) starting", me.username, me.id)
    max_name = None
    if app.max is not None:  # users on MAX too (bot.channels)
        max_me = await app.max.client.get_me()
        max_name = max_me.username
        log.info("MAX bot @%s (%s) starting", max_name, max_me.user_id)
    app.dispatcher["bot_names"] = BotNames(me.username, max_name)
    await set_commands(app.bot, await _staff_chats(app))
    max_poller = max_hook = None
    if app.max is not None:  # users on MAX too (bot.channels)
        max_poller = MaxPoller(
            app.dispatcher, app.max.bot, app.max.client, app.db.uow, app.max.reader, app.now
        )
        if app.settings.max_webhook_url:
            secret = app.settings.max_webhook_secret
            max_hook = MaxWebhook(
                app.dispatcher,
                app.max.bot,
                max_poller,
                secret.get_secret_value() if secret else None,
            )
        else:
            await _stop_max_pushes(app)
    polling: list[PollLease] = []  # one poller per bot, across instances
    me_holder = holder(app.settings.instance)
    if not app.settings.webhook_url:
        polling.append(PollLease(app.db.uow, f"poll:{app.bot.id}", me_holder, app.now))
    if max_poller is not None and max_hook is None:
        assert app.max is not None
        polling.append(PollLease(app.db.uow, f"poll:{app.max.bot.id}", me_holder, app.now))
    try:
        for lease in polling:
            await lease.take()  # AnotherPoller: a clear stop, not two pollers fighting
    except AnotherPoller:
        for lease in polling:
            await lease.release()
        raise
    receivers: list[Coroutine[Any, Any, None]] = [lease.keep(stop) for lease in polling]
    if app.settings.webhook_url or max_hook is not None:
        receivers.append(_serve_webhook(app, stop, max_hook))
    if not app.settings.webhook_url:
        await app.bot.delete_webhook(drop_pending_updates=False)
        receivers.append(poll(app.dispatcher, app.bot, stop, app.reader))
    if max_poller is not None and max_hook is None:
        receivers.append(max_poller.run(stop))
    # Everything loaded so far (FAQ index, morphology dictionary, aiogram's and
    # SQLAlchemy's classes) lives as long as the process.  Frozen, the cyclic
    # collector stops rescanning it on every pass (profiling a 600-user burst,
    # the samples in pydantic's allocation path, where passes start, fell from
    # 8% to 1%; throughput runs could not tell the difference from noise).
    gc.collect()
    gc.freeze()
    tasks = [
        *(asyncio.create_task(r, name=f"updates-{i}") for i, r in enumerate(receivers)),
        asyncio.create_task(app.sender.run(stop), name="outbox"),
        asyncio.create_task(run_jobs(app, stop), name="jobs"),
        asyncio.create_task(run_sla_jobs(app, stop), name="sla-jobs"),
        asyncio.create_task(run_faq_jobs(app, stop), name="faq-jobs"),
        asyncio.create_task(run_incident_jobs(app, stop), name="incident-jobs"),
    ]

    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        for task in done:
            error = task.exception()
            if error is not None:
                raise error
    finally:
        stop.set()
        for task in tasks:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*tasks, return_exceptions=True)
        for lease in polling:
            await lease.release()
        gc.unfreeze()  # (a process that runs the app again, like the tests, frees it)


async def run_bot(settings: Settings, *, stop: asyncio.Event) -> None:
    """Compose the product from ``settings`` and run it until ``stop`` is set."""
    app = await compose(settings)
    try:
        await run_app(app, stop)
    finally:
        await app.close()
