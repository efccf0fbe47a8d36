"""The Bot API side: ``/bot<token>/<method>`` calls and ``/file/bot<token>/<path>`` downloads.

A call goes: token check -> method lookup (404 if unknown) -> parameters read
from any body -> required and typed parameters checked against the spec ->
fault switches -> the method itself. Every failure is Telegram's envelope with
Telegram's status code.
"""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web

from sandbox._errors import ApiError, EntityTooLarge, NotFound, Unauthorized
from sandbox._params import Params, read_params
from sandbox.core import Sandbox
from sandbox.methods import METHODS, MethodInfo

log = logging.getLogger(__name__)

SANDBOX_KEY = web.AppKey("sandbox", Sandbox)


def _failure(error: ApiError) -> web.Response:
    return web.json_response(error.envelope(), status=error.status)


def _chat_of(params: Params) -> int | None:
    try:
        chat_id = params.chat_id() if params.present("chat_id") else None
    except ApiError:
        return None
    return chat_id if isinstance(chat_id, int) else None


async def call_method(sb: Sandbox, info: MethodInfo, params: Params) -> Any:
    sb.calls[info.name] += 1
    sb.spec.check(info.name, params)
    await sb.faults.apply(info.name, _chat_of(params))
    return await info.handler(sb, params)


async def handle_call(request: web.Request) -> web.Response:
    sb = request.app[SANDBOX_KEY]
    try:
        if request.match_info["token"] != sb.state.bot.token:
            raise Unauthorized()
        info = METHODS.get(request.match_info["method"].lower())
        if info is None:
            raise NotFound()
        try:
            params = await read_params(request)
        except web.HTTPRequestEntityTooLarge as exc:
            raise EntityTooLarge() from exc
        result = await call_method(sb, info, params)
    except ApiError as error:
        return _failure(error)
    return web.json_response({"ok": True, "result": result})


async def run_webhook_reply(sb: Sandbox, reply: dict[str, Any]) -> None:
    """Run a method the bot's webhook answered with, as Telegram does."""
    info = METHODS.get(str(reply.get("method", "")).lower())
    if info is None:
        log.info("webhook reply names an unknown method: %r", reply.get("method"))
        return
    values = {k: v for k, v in reply.items() if k != "method"}
    try:
        await call_method(sb, info, Params(values))
    except ApiError as error:
        log.info("webhook reply %s failed: %s", info.name, error.description)


async def handle_file(request: web.Request) -> web.StreamResponse:
    sb = request.app[SANDBOX_KEY]
    if request.match_info["token"] != sb.state.bot.token:
        return _failure(Unauthorized())
    stored = sb.files.by_path(request.match_info["path"])
    if stored is None:
        return _failure(NotFound())
    return web.FileResponse(sb.files.disk_path(stored), headers={"Content-Type": stored.mime_type})


def add_routes(app: web.Application) -> None:
    app.router.add_route("*", "/bot{token}/{method}", handle_call)
    app.router.add_get("/file/bot{token}/{path:.+}", handle_file)
