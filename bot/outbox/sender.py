"""The outbox sender: delivers what committed transactions wrote, in order per chat.

Each chat is a lane: its oldest pending row goes first and the next one only
after it is sent or given up, so a chat never sees messages out of order.
Lanes run side by side (bounded); the ``RateLimiter`` session middleware
paces them to Telegram's limits.  On failure:

- 429: retry after ``retry_after``;
- 5xx, network errors, timeouts: retry with exponential backoff (up to
  ``max_attempts``, then the row is marked failed and logged);
- 403 (the user blocked the bot): failed at once, recorded on the ticket and
  told to staff in the ticket's topic;
- other 4xx: failed at once and logged (retrying cannot help).

A relayed message (a ``Relay`` mark, ``bot.outbox.kinds``) that
fails for good is never dropped silently: the rest of that message (its
later pieces) is given up with it, and whoever wrote it hears so.  A user's
message that never reached the topic is counted on the ticket's card and the
user is asked to send it again; a consultant's message that never reached
the user (other than the user having blocked the bot) is told in the topic.

A restart picks up every row still pending: nothing committed is lost.

Several instances on one database share the outbox: a lane is sent by the
instance holding its lease (``storage.leases``, ``o:<chat>``), taken when the
lane starts, renewed every few seconds while it lives, let go when it ends.
An instance that dies holds its lanes until the lease runs out (10 s); then
another takes them, from their oldest pending row, so the order holds.

What a delivery leaves to write down (the row sent, the message's link to
its ticket, the chat's next row) is written in one transaction for all the
lanes that finished meanwhile: under a burst that is one commit for many
messages instead of one each.  A batch that fails is written again one
delivery at a time, so one bad record costs only its own row a repeat.

Counted (``bot.metrics``): rows sent and failed by kind once recorded, each
retry by its reason, a delivery's time; log lines name the row's ticket.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from aiogram.exceptions import (
    TelegramAPIError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)

from bot import logs, metrics, texts
from bot.outbox import enqueue
from bot.outbox.deliver import Delivered, Deliverer
from bot.outbox.kinds import Origin, link_of, relay_of
from storage import leases, messaging
from storage.database import unavailable
from storage.outbox import OutboxItem
from storage.uow import UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)

_RETRYABLE = (TelegramServerError, TelegramNetworkError, TimeoutError)


def _utcnow() -> datetime:
    return datetime.now(UTC)


class OutboxSender:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        deliverer: Deliverer,
        *,
        lanes: int = 64,
        poll_interval: float = 1.0,
        max_attempts: int = 30,
        max_backoff: float = 300.0,
        collect: float = 0.02,
        now: Callable[[], datetime] = _utcnow,
        holder: str = "",
        lease: timedelta = timedelta(seconds=10),
    ) -> None:
        self._uow = uow_factory
        self._deliverer = deliverer
        self._slots = asyncio.Semaphore(lanes)
        self._poll_interval = poll_interval
        self._max_attempts = max_attempts
        self._max_backoff = max_backoff
        self._collect = collect
        self._now = now
        self._wake = asyncio.Event()
        self._lanes: dict[int, asyncio.Task[None]] = {}
        self._unrecorded: list[_Sent] = []
        self._recorder: asyncio.Task[None] | None = None
        # chats whose lane ended while the outbox was being read: their head may be stale
        self._ended: set[int] = set()
        # Several instances on one database: a lane is sent by the one holding its
        # lease (storage.leases); ended lanes are let go at the next look.
        self._holder = holder or f"sender:{id(self)}"
        self._lease = lease
        self._held: set[int] = set()
        self._let_go: set[int] = set()
        self._renewed_at: datetime | None = None
        self.delivered = 0
        self.failed = 0
        self.retried = 0

    def wake(self) -> None:
        """Something was committed to the outbox: look now rather than at the next poll."""
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until ``stop`` is set; lanes in flight finish their current row."""
        async with self._uow() as uow:
            self._deliverer.first_tries_after(await uow.outbox.last_id())
        stopper = asyncio.create_task(stop.wait())
        try:
            while not stop.is_set():
                self._wake.clear()
                try:
                    next_due = await self._start_lanes()
                except Exception:  # the database away (a restart): look again, never stop
                    log.exception("looking for outbox rows failed; looking again shortly")
                    next_due = None
                timeout = self._poll_interval
                if next_due is not None:
                    timeout = min(timeout, max(0.0, next_due))
                waker = asyncio.create_task(self._wake.wait())
                await asyncio.wait(
                    {waker, stopper}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
                )
                waker.cancel()
                # a burst of commits wakes us many times: look once for all of them
                await asyncio.sleep(self._collect)
        finally:
            stopper.cancel()
            lanes = list(self._lanes.values())
            for lane in lanes:
                lane.cancel()
            await asyncio.gather(*lanes, return_exceptions=True)
            if self._recorder is not None:  # what was delivered is written down
                await asyncio.gather(self._recorder, return_exceptions=True)
            await self._let_go_all()

    async def drain(self) -> None:
        """Deliver everything pending now and return (for one-shot use and tests)."""
        while True:
            await self._start_lanes()
            if not self._lanes:
                async with self._uow() as uow:
                    heads = await uow.outbox.chat_heads()
                if not heads:
                    return
                await asyncio.sleep(0.05)
            else:
                await asyncio.gather(*self._lanes.values(), return_exceptions=True)

    async def _start_lanes(self) -> float | None:
        """Start a lane for each chat with a due row; seconds until the next row falls due."""
        self._ended.clear()
        now = self._now()
        next_due: float | None = None
        starting: list[int] = []
        async with self._uow() as uow:
            for head in await uow.outbox.chat_heads():
                if head.chat_id in self._lanes:
                    continue
                if head.next_attempt_at > now:
                    wait = (head.next_attempt_at - now).total_seconds()
                    next_due = wait if next_due is None else min(next_due, wait)
                    continue
                starting.append(head.chat_id)
            let_go, self._let_go = self._let_go - set(starting), set()
            await uow.leases.release([leases.lane(c) for c in let_go], self._holder)
            self._held -= let_go
            if self._held and (
                self._renewed_at is None or now - self._renewed_at >= self._lease / 3
            ):  # lanes alive but quiet (waiting on a limit or a retry) stay ours
                held = [leases.lane(c) for c in self._held]
                await uow.leases.renew(held, self._holder, now, self._lease)
                self._renewed_at = now
            names = {leases.lane(c): c for c in starting}
            taken = await uow.leases.take(names, self._holder, now, self._lease)
            if len(taken) < len(starting):  # another instance sends those: look again soon
                next_due = min(next_due or 1.0, 1.0)
            starting = [names[name] for name in taken]
            self._held.update(starting)
            items = await uow.outbox.heads_of(starting)
        for chat_id in starting:
            # the head just read saves the lane a look, unless a lane of that
            # chat finished meanwhile (it may have sent that very row)
            fresh = None if chat_id in self._ended else items.get(chat_id)
            task = asyncio.create_task(self._lane(chat_id, fresh))
            self._lanes[chat_id] = task
            task.add_done_callback(functools.partial(self._lane_done, chat_id))
        return next_due

    def _lane_done(self, chat_id: int, _task: asyncio.Task[None]) -> None:
        self._lanes.pop(chat_id, None)
        self._ended.add(chat_id)
        self._let_go.add(chat_id)

    async def _let_go_all(self) -> None:
        """Stopping: every lane's lease goes, so another instance (or the next start)
        takes the chats at once."""
        if not self._held:
            return
        try:
            async with self._uow() as uow:
                names = [leases.lane(c) for c in self._held]
                await uow.leases.release(names, self._holder)
        except Exception:  # they run out by themselves
            log.exception("letting go of %d outbox lanes failed", len(self._held))
        self._held.clear()

    async def _lane(self, chat_id: int, head: OutboxItem | None) -> None:
        async with self._slots:
            item = head
            if item is None:
                async with self._uow() as uow:
                    item = await uow.outbox.head_of(chat_id)
            while item is not None and item.next_attempt_at <= self._now():
                item = await self._deliver(item)
            if item is not None:
                self.wake()  # the loop computes when to come back for it

    async def _deliver(self, item: OutboxItem) -> OutboxItem | None:
        """Deliver ``item``, record the outcome; the chat's next pending row."""
        logs.bind_ticket_id(item.ticket_id)
        started = time.perf_counter()
        try:
            delivered = await self._deliverer.deliver(item)
        except TelegramRetryAfter as exc:
            metrics.OUTBOX_RETRIES.labels("429").inc()
            return await self._retry(
                item, float(exc.retry_after), f"429 retry after {exc.retry_after}"
            )
        except _RETRYABLE as exc:
            backoff = min(self._max_backoff, 0.5 * 2**item.attempts)
            if item.attempts + 1 >= self._max_attempts:
                error = f"gave up after {item.attempts + 1} attempts: {exc}"
                return await self._give_up(item, error)
            metrics.OUTBOX_RETRIES.labels(_reason(exc)).inc()
            return await self._retry(item, backoff, f"{type(exc).__name__}: {exc}")
        except TelegramForbiddenError as exc:
            if item.ticket_id is not None and item.chat_id > 0:
                following = await self._fail(item, f"403: {exc.message}")
                await self._user_blocked(item)
                return following
            return await self._give_up(item, f"403: {exc.message}")
        except TelegramAPIError as exc:
            return await self._give_up(item, f"{type(exc).__name__}: {exc.message}")
        except Exception as exc:  # unforeseen: retried as a network error would be, never
            # left to end the lane (it would start again on the same row, forever)
            log.exception("outbox row %s (%s) failed unexpectedly", item.id, item.kind)
            if item.attempts + 1 >= self._max_attempts:
                return await self._give_up(item, f"gave up: {type(exc).__name__}: {exc}")
            backoff = min(self._max_backoff, 0.5 * 2**item.attempts)
            return await self._retry(item, backoff, f"{type(exc).__name__}: {exc}")
        metrics.OUTBOX_SECONDS.labels(item.kind).observe(time.perf_counter() - started)
        return await self._sent(item, delivered)

    async def _sent(self, item: OutboxItem, delivered: Delivered) -> OutboxItem | None:
        """Record the delivery (batched with other lanes'); the chat's next pending row."""
        sent = _Sent(item, delivered, self._now(), asyncio.get_running_loop().create_future())
        self._unrecorded.append(sent)
        if self._recorder is None or self._recorder.done():
            self._recorder = asyncio.create_task(self._record_all())
        following = await sent.following
        self.delivered += 1
        metrics.OUTBOX_SENT.labels(item.kind).inc()
        return following

    async def _record_all(self) -> None:
        while self._unrecorded:
            batch: list[_Sent] = []
            try:
                async with self._uow() as uow:
                    # taken once the database is ours: what arrived while we waited joins
                    batch, self._unrecorded = self._unrecorded, []
                    for sent in batch:
                        await _write(uow, sent)
                    chats = {s.item.chat_id for s in batch}
                    heads = await uow.outbox.heads_of(chats)
                    names = [leases.lane(c) for c in chats]  # still sending them
                    await uow.leases.renew(names, self._holder, self._now(), self._lease)
            except Exception as exc:
                if not batch or unavailable(exc):  # the database did not answer: the
                    self._unrecorded[:0] = batch  # deliveries wait for it (else: sent again)
                    log.exception("recording deliveries failed; trying again in 1 s")
                    await asyncio.sleep(1.0)
                    continue
                log.exception("recording %d deliveries at once failed; one by one now", len(batch))
                await self._record_each(batch)
                continue
            for sent in batch:
                _settle(sent, heads.get(sent.item.chat_id))

    async def _record_each(self, batch: list[_Sent]) -> None:
        for sent in batch:
            try:
                async with self._uow() as uow:
                    await _write(uow, sent)
                    following = await uow.outbox.head_of(sent.item.chat_id)
            except Exception as exc:
                if not sent.following.done():  # its lane may have been stopped meanwhile
                    sent.following.set_exception(exc)
            else:
                _settle(sent, following)

    async def _retry(self, item: OutboxItem, delay: float, error: str) -> OutboxItem | None:
        self.retried += 1
        log.info("outbox %s to chat %s: %s; retry in %.1fs", item.id, item.chat_id, error, delay)
        async with self._uow() as uow:
            await uow.outbox.mark_retry(item.id, self._now() + timedelta(seconds=delay), error)
            return await uow.outbox.head_of(item.chat_id)

    async def _fail(self, item: OutboxItem, error: str) -> OutboxItem | None:
        self.failed += 1
        log.warning("outbox %s (%s) to chat %s failed: %s", item.id, item.kind, item.chat_id, error)
        async with self._uow() as uow:
            await uow.outbox.mark_failed(item.id, error, self._now())
            following = await uow.outbox.head_of(item.chat_id)
        metrics.OUTBOX_FAILED.labels(item.kind).inc()
        return following

    async def _give_up(self, item: OutboxItem, error: str) -> OutboxItem | None:
        """Fail ``item`` for good; a relayed message is failed whole and its author
        told, in the same transaction (a crash cannot leave the failure untold)."""
        relay = relay_of(item)
        if relay is None or item.ticket_id is None:
            return await self._fail(item, error)
        self.failed += 1
        log.warning(
            "outbox %s (%s relay) to chat %s failed: %s; its author is told",
            item.id,
            relay.origin,
            item.chat_id,
            error,
        )
        now = self._now()
        kinds = [item.kind]
        async with self._uow() as uow:
            await uow.outbox.mark_failed(item.id, error, now)
            following = await uow.outbox.head_of(item.chat_id)
            # its later pieces are next in this lane: half a message would only confuse
            while following is not None and relay_of(following) == relay:
                part = f"an earlier part (outbox {item.id}) failed"
                await uow.outbox.mark_failed(following.id, part, now)
                kinds.append(following.kind)
                following = await uow.outbox.head_of(item.chat_id)
            await _tell_relay_failed(uow, item.ticket_id, relay.origin)
        for kind in kinds:
            metrics.OUTBOX_FAILED.labels(kind).inc()
        self.wake()
        return following

    async def _user_blocked(self, item: OutboxItem) -> None:
        assert item.ticket_id is not None
        async with self._uow() as uow:
            topic = await uow.messaging.topic_of(item.ticket_id)
            ticket = await uow.tickets.get_by_id(item.ticket_id)
            if topic is None or topic.user_blocked_at is not None:
                return  # staff already know (or there is no topic to tell them in)
            await uow.messaging.mark_user_blocked(item.ticket_id, self._now())
            enqueue.send(
                uow,
                topic.chat_id,
                texts.render("staff_blocked", number=ticket.number),
                ticket_id=item.ticket_id,
                topic=True,
            )
            enqueue.refresh(uow, topic.chat_id, item.ticket_id)


async def _tell_relay_failed(uow: UnitOfWork, ticket_id: int, origin: Origin) -> None:
    """Tell whoever wrote a relayed message that it never arrived: a user's is
    counted on the card and the user asked to send it again; a consultant's is
    told in the topic."""
    topic = await uow.messaging.topic_of(ticket_id)
    ticket = await uow.tickets.get_by_id(ticket_id)
    if origin == "user":
        await uow.messaging.add_undelivered(ticket_id)
        enqueue.send(
            uow,
            ticket.user_chat,
            texts.render("relay_failed_user", number=ticket.number),
            ticket_id=ticket_id,
            link_as=enqueue.link("bot", None, public=False, text=None),
        )
        if topic is not None:
            enqueue.refresh(uow, topic.chat_id, ticket_id)
    elif topic is not None:
        enqueue.send(
            uow,
            topic.chat_id,
            texts.render("relay_failed_staff", number=ticket.number),
            ticket_id=ticket_id,
            topic=True,
        )


def _reason(exc: BaseException) -> str:
    """A retry's reason as ``bot.metrics`` counts it."""
    if isinstance(exc, TelegramServerError):
        return "server"
    return "timeout" if isinstance(exc, TimeoutError) else "network"


@dataclass
class _Sent:
    """A delivery waiting to be written down."""

    item: OutboxItem
    delivered: Delivered
    at: datetime
    following: asyncio.Future[OutboxItem | None]


def _settle(sent: _Sent, following: OutboxItem | None) -> None:
    if not sent.following.done():  # its lane may have been stopped meanwhile
        sent.following.set_result(following)


async def _write(uow: UnitOfWork, sent: _Sent) -> None:
    item, message_id = sent.item, sent.delivered.message_id
    if sent.delivered.record is not None:
        await sent.delivered.record(uow)
    await uow.outbox.mark_sent(item.id, message_id, sent.at)
    link = link_of(item)
    if link is not None and message_id is not None and item.ticket_id is not None:
        await uow.messaging.add_link(
            messaging.MessageLink(
                chat_id=item.chat_id,
                message_id=message_id,
                ticket_id=item.ticket_id,
                author=link.author,
                author_id=link.author_id,
                public=link.public,
                text=link.text,
                at=sent.at,
            ),
        )
