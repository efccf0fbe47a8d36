"""Work that must wait for the transaction's commit: ``after_commit(session, fn)``.

Counting and logging what a transaction did (``bot.metrics``, the one log line
per ticket event) is only true once it committed: ``fn`` runs right after the
commit, in the order given; a rollback drops it, and so does rolling back the
savepoint it was added in.  ``fn`` must be quick and must not raise (it runs
inside ``commit()``: an error would be raised after the data is already kept).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

log = logging.getLogger(__name__)

_WAITING = "hooks.after_commit"  # session.info: this transaction's callbacks, in order
_SAVEPOINTS = "hooks.savepoints"  # session.info: savepoint -> len(waiting) when it began


def after_commit(session: AsyncSession, fn: Callable[[], None]) -> None:
    """Run ``fn`` once the transaction of ``session`` has committed (never if it does not)."""
    session.info.setdefault(_WAITING, []).append(fn)


@event.listens_for(Session, "after_commit")
def _run_waiting(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint released: the transaction goes on
        return
    waiting: list[Callable[[], None]] | None = session.info.pop(_WAITING, None)
    session.info.pop(_SAVEPOINTS, None)
    for fn in waiting or ():
        try:
            fn()
        except Exception:  # the data is kept: a failing count must not say otherwise
            log.exception("after-commit hook %r failed", fn)


@event.listens_for(Session, "after_transaction_create")
def _mark_savepoint(session: Session, transaction: SessionTransaction) -> None:
    if transaction.nested:  # what rolling it back takes back: the callbacks added in it
        session.info.setdefault(_SAVEPOINTS, {})[transaction] = len(session.info.get(_WAITING, ()))


@event.listens_for(Session, "after_soft_rollback")
def _drop_waiting(session: Session, previous: SessionTransaction) -> None:
    if not previous.nested:
        session.info.pop(_WAITING, None)
        session.info.pop(_SAVEPOINTS, None)
        return
    mark = session.info.get(_SAVEPOINTS, {}).pop(previous, None)
    if mark is not None:
        del session.info.get(_WAITING, [])[mark:]
