"""Fault switches: make a method fail on purpose, for the next N calls.

A test asks for a kind of failure on a method (optionally only for one chat):
``429`` answers Too Many Requests with ``retry_after``, ``5xx`` answers an
internal server error, ``400`` a Bad Request (a refusal that retrying cannot
mend), ``hang`` keeps the request open without an answer
(until ``hang_seconds`` pass or the sandbox stops). A faulted call does not
take effect, except a ``slow`` one: it waits ``hang_seconds`` (a slow network),
then goes through.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from sandbox._errors import BadRequest, ServerError, TooManyRequests

KINDS = ("429", "5xx", "400", "hang", "slow")


class FaultError(ValueError):
    """A fault switch request that makes no sense."""


@dataclass
class Fault:
    method: str
    kind: str
    count: int = 1
    chat_id: int | None = None
    retry_after: int = 5
    hang_seconds: float = 60.0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise FaultError(f"kind must be one of {', '.join(KINDS)}")
        if self.count < 1:
            raise FaultError("count must be at least 1")
        if self.retry_after < 1:
            raise FaultError("retry_after must be at least 1")
        if self.hang_seconds <= 0:
            raise FaultError("hang_seconds must be positive")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class FaultBoard:
    faults: list[Fault] = field(default_factory=list)
    applied: Counter[str] = field(default_factory=Counter)
    stopping: asyncio.Event = field(default_factory=asyncio.Event)

    def add(self, fault: Fault) -> None:
        self.faults.append(fault)

    def clear(self) -> None:
        self.faults.clear()

    def take(self, method: str, chat_id: int | None) -> Fault | None:
        """The fault that applies to this call, if any, counting it down."""
        for fault in self.faults:
            if fault.method.lower() != method.lower():
                continue
            if fault.chat_id is not None and fault.chat_id != chat_id:
                continue
            fault.count -= 1
            if fault.count == 0:
                self.faults.remove(fault)
            self.applied[fault.kind] += 1
            return fault
        return None

    async def apply(self, method: str, chat_id: int | None) -> None:
        """Raise (or hang, then raise) if a fault is switched on for this call."""
        fault = self.take(method, chat_id)
        if fault is None:
            return
        if fault.kind == "429":
            raise TooManyRequests(fault.retry_after)
        if fault.kind == "400":
            raise BadRequest("sandbox fault switch")
        if fault.kind in ("hang", "slow"):
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stopping.wait(), fault.hang_seconds)
            if fault.kind == "slow":
                return  # a slow network: the call then goes through
            raise ServerError("request hung (sandbox fault switch)")
        raise ServerError("sandbox fault switch")
