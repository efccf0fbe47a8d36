"""What the control API's handlers share: the sandbox, errors as JSON, lookups."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from sandbox._botapi import SANDBOX_KEY
from sandbox._errors import ApiError, BadRequest, NotFound
from sandbox._params import Params, read_params
from sandbox.core import Sandbox
from sandbox.model import Chat, User

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

MAX_WAIT = 60.0


def sandbox_of(request: web.Request) -> Sandbox:
    return request.app[SANDBOX_KEY]


@web.middleware
async def control_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Control API failures as ``{"error": "..."}`` with a 4xx status."""
    if not request.path.startswith("/sandbox/api/"):
        return await handler(request)
    try:
        return await handler(request)
    except ApiError as error:
        return web.json_response({"error": error.description}, status=error.status)


async def body(request: web.Request) -> Params:
    return await read_params(request)


def user_of(sb: Sandbox, user_id: int) -> User:
    user = sb.state.users.get(user_id)
    if user is None:
        raise NotFound(f"unknown user {user_id}")
    return user


def chat_of(sb: Sandbox, chat_id: int) -> Chat:
    chat = sb.state.chats.get(chat_id)
    if chat is None:
        raise NotFound(f"unknown chat {chat_id}")
    return chat


CHANNELS = ("telegram", "max")


def is_max(params: Params) -> bool:
    """Whether a call is about MAX (``"channel": "max"``); the default is Telegram."""
    channel = params.opt_str("channel") or "telegram"
    if channel not in CHANNELS:
        raise BadRequest('channel must be "telegram" or "max"')
    return channel == "max"


def wait_seconds(params: Params) -> float:
    raw = params.raw("wait")
    if raw in (None, ""):
        return 0.0
    try:
        return min(MAX_WAIT, max(0.0, float(raw)))
    except (TypeError, ValueError):
        raise BadRequest('parameter "wait" must be a number of seconds') from None


def json(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status)
