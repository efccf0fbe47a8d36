"""The FAQ learns from its log (issue 16): what users pressed, reloaded into the
knowledge base every few minutes, and a weekly digest of the gaps for staff.

- Feedback: every ``REFRESH_EVERY`` seconds the «Не то» / «Помогло» presses and
  consultants' answers of the last ``FEEDBACK_DAYS`` are read from ``faq_log``
  and handed to ``KnowledgeBase.set_feedback`` (in a thread: with embeddings each
  new query is embedded once). A press is also added as it happens
  (``bot/handlers/private/buttons.py``); the reload brings in the presses made
  on other instances and forgets one whose transaction rolled back.
- Digest: once per ISO week, from Monday ``DIGEST_HOUR``:00 Moscow time, each
  team's staff group gets the most frequent requests of its clients over the
  last seven days that the FAQ did not answer and that became tickets
  (``knowledge.gaps.group_similar``). The week is claimed in ``reports_sent``
  (key: the team, period ``faq-<ISO week>``) in the transaction that queues the
  message, so a restart or a second instance never sends it twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot import texts
from bot.outbox import enqueue
from knowledge.analysis import Analyzer
from knowledge.base import KnowledgeBase
from knowledge.gaps import Gap, group_similar
from storage.uow import UnitOfWorkFactory

if TYPE_CHECKING:
    from bot.compose import App

log = logging.getLogger(__name__)

REFRESH_EVERY = 300.0  # seconds
FEEDBACK_DAYS = 180
DIGEST_ZONE = ZoneInfo("Europe/Moscow")
DIGEST_HOUR = 9
DIGEST_DAYS = 7
DIGEST_TOP = 5
_KEY_LENGTH = 16  # reports_sent.client_code


async def refresh_feedback(uow: UnitOfWorkFactory, kb: KnowledgeBase, now: datetime) -> int:
    """Reload what users did with the suggestions; how many presses are known."""
    async with uow() as tx:
        feedback = await tx.drafts.faq_feedback(now - timedelta(days=FEEDBACK_DAYS))
    await asyncio.to_thread(kb.set_feedback, feedback.rejections, feedback.helped)
    return len(feedback.rejections) + len(feedback.helped)


def digest_week(now: datetime) -> str | None:
    """The ISO week whose digest is due at ``now`` («faq-2026-W05»); None before
    Monday ``DIGEST_HOUR``:00 Moscow time."""
    local = now.astimezone(DIGEST_ZONE)
    if local.weekday() == 0 and local.hour < DIGEST_HOUR:
        return None
    year, week, _ = local.isocalendar()
    return f"faq-{year}-W{week:02d}"


def _team_key(team: str) -> str:
    if len(team) <= _KEY_LENGTH:
        return team
    return f"{team[:7]}~{hashlib.sha1(team.encode()).hexdigest()[:8]}"


async def send_faq_digests(uow: UnitOfWorkFactory, analyzer: Analyzer, now: datetime) -> int:
    """Queue this week's digest for every team that has not had it; how many were queued."""
    week = digest_week(now)
    if week is None:
        return 0
    async with uow() as tx:
        config = await tx.directory.load()
    sent = 0
    for name, team in sorted(config.teams.items()):
        clients = [code for code, c in config.clients.items() if c.team == name]
        try:
            async with uow() as tx:
                if not await tx.report_files.claim_report(_team_key(name), week, now):
                    continue
                since = now - timedelta(days=DIGEST_DAYS)
                queries = await tx.drafts.faq_gap_queries(since, clients)
                gaps = top_gaps(queries, analyzer)
                if gaps:  # a quiet week: claimed, nothing to say
                    enqueue.send(tx, team.chat_id, texts.render("faq_digest", gaps=gaps))
                    sent += 1
        except Exception:  # the claim rolled back with it: tried again next pass
            log.exception("FAQ digest %s for team %s failed", week, name)
    return sent


def top_gaps(queries: list[str], analyzer: Analyzer) -> list[Gap]:
    return group_similar(queries, analyzer)[:DIGEST_TOP]


DIGEST_AFTER_START = 120.0  # seconds


async def run_faq_jobs(app: App, stop: asyncio.Event, *, every: float = REFRESH_EVERY) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    while not stop.is_set():
        try:
            known = await refresh_feedback(app.db.uow, app.kb, app.now())
            log.debug("FAQ feedback reloaded: %d presses", known)
        except Exception:  # a failing pass is retried on the next one
            log.exception("reloading the FAQ feedback failed")
        # The digest waits a while after a start: a bot restarted on a Monday
        # afternoon should not post into the group the moment it comes up
        # (nor amid a test's first messages); the week's claim keeps it once.
        if loop.time() - started >= DIGEST_AFTER_START:
            try:
                if await send_faq_digests(app.db.uow, app.kb.analyzer, app.now()):
                    app.sender.wake()
            except Exception:
                log.exception("FAQ digest pass failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=every)
