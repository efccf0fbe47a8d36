"""The table of Bot API methods the sandbox implements."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sandbox._params import Params

if TYPE_CHECKING:
    from sandbox.core import Sandbox

Handler = Callable[["Sandbox", Params], Awaitable[Any]]


@dataclass(frozen=True)
class MethodInfo:
    name: str
    handler: Handler


# Keyed by the lower-case name: Telegram matches method names case-insensitively.
METHODS: dict[str, MethodInfo] = {}


def method(name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        METHODS[name.lower()] = MethodInfo(name, handler)
        return handler

    return register
