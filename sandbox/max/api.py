"""The MAX Bot API under ``/max``: a client's API URL is ``http://<host>:<port>/max``.

A call goes: path and method lookup (404 / 405) -> token check (the
``Authorization`` header, or the ``access_token`` query parameter MAX used to
take) -> the 30 requests/s limit (GET /updates is not counted) -> fault
switches -> the method. Every failure is MAX's ``{"code", "message"}`` with
MAX's status code.

Upload URLs (``/max/upload/<slot>``) and file URLs (``/max/files/<id>``) play
MAX's upload and download hosts: they take no token, as theirs need none.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from aiohttp import BodyPartReader, web

from sandbox._errors import ApiError, BadRequest, ServerError, TooManyRequests
from sandbox._files import sniff_image
from sandbox._params import Upload
from sandbox.max import conversation, errors
from sandbox.max.errors import MaxError
from sandbox.max.model import (
    UPLOAD_TYPES,
    MaxMessage,
    MaxUpload,
    MaxUser,
    Subscription,
    UploadSlot,
    dialog_user_id,
)
from sandbox.max.serialize import bot_info, dialog_dict, public_message, public_update
from sandbox.max.world import MaxWorld, now_ms

log = logging.getLogger(__name__)

MAX_KEY = web.AppKey("max", MaxWorld)
PREFIX = "/max"

_SECRET = re.compile(r"[a-zA-Z0-9_-]{5,256}")
_ACTIONS = ("typing_on", "sending_photo", "sending_video", "sending_audio", "sending_file")


@dataclass
class Call:
    query: Mapping[str, str]
    body: Any
    match: dict[str, str]


Handler = Callable[[MaxWorld, Call], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    name: str  # the operation's name in MAX's schema; fault switches use it
    handler: Handler


ROUTES: list[Route] = []


def route(method: str, path: str, name: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        ROUTES.append(Route(method, re.compile(path), name, handler))
        return handler

    return register


# -- reading a call -------------------------------------------------------------


def _int(query: Mapping[str, str], name: str) -> int | None:
    raw = query.get(name)
    if raw in (None, "", "null"):
        return None
    try:
        return int(str(raw))
    except ValueError:
        raise errors.bad_request(f"{name} must be an integer") from None


def _user(world: MaxWorld, user_id: int) -> MaxUser:
    user = world.state.users.get(user_id)
    if user is None:
        raise errors.chat_not_found(f"with user {user_id}")
    return user


def _target(world: MaxWorld, query: Mapping[str, str]) -> MaxUser:
    """The dialog a message goes to: ``user_id`` or the dialog's ``chat_id``."""
    user_id, chat_id = _int(query, "user_id"), _int(query, "chat_id")
    if user_id is not None:
        return _user(world, user_id)
    if chat_id is None:
        raise errors.bad_request("user_id or chat_id is required")
    owner = dialog_user_id(chat_id)
    if owner is None or owner not in world.state.users:
        raise errors.chat_not_found(str(chat_id))
    return world.state.users[owner]


def _message(world: MaxWorld, mid: str | None) -> MaxMessage:
    if not mid:
        raise errors.bad_request("message_id is required")
    record = world.state.messages.get(mid)
    if record is None:
        raise errors.not_found(f"Message {mid} not found")
    return record


def _fault_chat(world: MaxWorld, call: Call) -> int | None:
    """The user whose dialog a call concerns (fault switches name dialogs by user id)."""
    try:
        user_id = _int(call.query, "user_id")
        if user_id is not None:
            return user_id
        chat_id = _int(call.query, "chat_id") or _int(call.match, "chat_id")
    except MaxError:
        return None
    if chat_id is not None:
        return dialog_user_id(chat_id)
    record = world.state.messages.get(call.query.get("message_id") or call.match.get("mid", ""))
    if record is not None:
        return record.user_id
    callback = world.state.callbacks.get(call.query.get("callback_id", ""))
    return callback.user_id if callback else None


def _can_write(user: MaxUser) -> None:
    if user.blocked_bot:
        raise errors.denied("chat.denied: the user has stopped the bot")
    if not user.started:
        raise errors.denied("chat.denied: the user has not started a dialog with the bot")


# -- the bot ----------------------------------------------------------------------


@route("GET", "/me", "getMyInfo")
async def get_me(world: MaxWorld, call: Call) -> dict[str, Any]:
    return bot_info(world.state.bot, now_ms())


def _commands(raw: Any) -> list[dict[str, Any]]:
    if not isinstance(raw, list) or len(raw) > 32:
        raise errors.bad_request("commands must be an array of at most 32 commands")
    commands = []
    for command in raw:
        name = command.get("name") if isinstance(command, dict) else None
        if not isinstance(name, str) or not 1 <= len(name) <= 64:
            raise errors.bad_request("a command's name must be 1-64 characters")
        description = command.get("description")
        if description is not None and not isinstance(description, str):
            raise errors.bad_request("a command's description must be a string")
        commands.append({"name": name, "description": description})
    return commands


@route("PATCH", "/me", "editMyInfo")
async def patch_me(world: MaxWorld, call: Call) -> dict[str, Any]:
    body = _object(call.body)
    bot = world.state.bot
    for field in ("first_name", "last_name"):
        value = body.get(field)
        if value is not None:
            if not isinstance(value, str) or not 1 <= len(value) <= 64:
                raise errors.bad_request(f"{field} must be 1-64 characters")
            setattr(bot, field, value)
    if isinstance(body.get("name"), str) and body.get("first_name") is None:
        bot.first_name = body["name"]
    description = body.get("description")
    if description is not None:
        if not isinstance(description, str) or not 1 <= len(description) <= 16000:
            raise errors.bad_request("description must be 1-16000 characters")
        bot.description = description
    if body.get("commands") is not None:
        bot.commands = _commands(body["commands"])
    world.state.touch_bot()
    return bot_info(bot, now_ms())


@route("PATCH", "/me/commands", "setCommands")
async def set_commands(world: MaxWorld, call: Call) -> dict[str, Any]:
    body = _object(call.body)
    if body.get("commands") is not None:
        world.state.bot.commands = _commands(body["commands"])
        world.state.touch_bot()
    return {"commands": world.state.bot.commands}


# -- updates ----------------------------------------------------------------------


@route("GET", "/updates", "getUpdates")
async def get_updates(world: MaxWorld, call: Call) -> dict[str, Any]:
    limit = _int(call.query, "limit") or 100
    timeout = _int(call.query, "timeout")
    timeout = 30 if timeout is None else timeout
    if not 1 <= limit <= 1000 or not 0 <= timeout <= 90:
        raise errors.bad_request("limit must be 1-1000 and timeout 0-90")
    raw_types = call.query.get("types") or ""
    types = [t for t in raw_types.split(",") if t] or None
    batch, marker = await world.feed.poll(_int(call.query, "marker"), limit, timeout, types)
    updates = [public_update(u.update, world.base_url) for u in batch]
    return {"updates": updates, "marker": marker}


@route("GET", "/subscriptions", "getSubscriptions")
async def get_subscriptions(world: MaxWorld, call: Call) -> dict[str, Any]:
    sub = world.state.subscription
    shown = [{"url": sub.url, "time": sub.time, "update_types": sub.update_types}] if sub else []
    return {"subscriptions": shown}


@route("POST", "/subscriptions", "subscribe")
async def subscribe(world: MaxWorld, call: Call) -> dict[str, Any]:
    body = _object(call.body)
    url = body.get("url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise errors.bad_request("url must be an http(s) URL")
    secret = body.get("secret")
    if secret is not None and (not isinstance(secret, str) or not _SECRET.fullmatch(secret)):
        raise errors.bad_request("secret must be 5-256 characters of A-Z, a-z, 0-9, _ and -")
    types = body.get("update_types")
    if types is not None and (
        not isinstance(types, list) or not all(isinstance(t, str) and t for t in types)
    ):
        raise errors.bad_request("update_types must be an array of update type names")
    # One subscription at a time: a new one replaces the old.
    world.state.set_subscription(Subscription(url, now_ms(), types or None, secret))
    return {"success": True}


@route("DELETE", "/subscriptions", "unsubscribe")
async def unsubscribe(world: MaxWorld, call: Call) -> dict[str, Any]:
    url = call.query.get("url")
    if not url:
        raise errors.bad_request("url is required")
    sub = world.state.subscription
    if sub is None or sub.url != url:
        return {"success": False, "message": f"no subscription for {url}"}
    world.state.set_subscription(None)
    return {"success": True}


# -- uploads ----------------------------------------------------------------------


@route("POST", "/uploads", "getUploadUrl")
async def get_upload_url(world: MaxWorld, call: Call) -> dict[str, Any]:
    kind = call.query.get("type")
    if kind not in UPLOAD_TYPES:
        raise errors.bad_request("type must be one of image, video, audio, file")
    slot = UploadSlot(secrets.token_urlsafe(16), kind, secrets.token_urlsafe(24))
    world.state.put_slot(slot)
    answer: dict[str, Any] = {"url": f"{world.base_url}{PREFIX}/upload/{slot.slot}"}
    if kind in ("video", "audio"):
        answer["token"] = slot.token  # MAX gives these before the upload
    return answer


async def _read_upload(request: web.Request) -> Upload:
    if request.content_type == "multipart/form-data":
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if isinstance(part, BodyPartReader) and part.filename is not None:
                data = await part.read()
                ctype = part.headers.get("Content-Type", "application/octet-stream")
                return Upload(part.filename, ctype, bytes(data))
        raise errors.bad_request("the upload has no file part (send it as field data)")
    # A resumable upload sends the bytes as the body; the whole file at once here.
    data = await request.read()
    name = request.headers.get("Content-Disposition", "").partition("filename=")[2].strip('"')
    return Upload(name or "file", request.content_type, data)


async def handle_upload(request: web.Request) -> web.Response:
    """The upload host: one file per URL; answers with the token (image: in ``photos``)."""
    world = request.app[MAX_KEY]
    try:
        slot = world.state.slots.get(request.match_info["slot"])
        if slot is None:
            raise errors.not_found("upload URL not found")
        if slot.used:
            raise errors.bad_request("this upload URL has been used; ask POST /uploads again")
        upload = await _read_upload(request)
        is_image = sniff_image(upload.data) is not None
        if slot.type == "image" and not is_image:
            raise errors.bad_request("the file is not an image MAX can read")
        stored = conversation.save_file(world, upload, "photo" if is_image else "document")
        photo_id = world.state.allocate_photo_id() if slot.type == "image" else 0
        world.state.put_upload(
            MaxUpload(slot.token, slot.type, stored.file_id, time.time(), photo_id)
        )
        slot.used = True
        world.state.put_slot(slot)
    except MaxError as error:
        return web.json_response(error.body(), status=error.status)
    except web.HTTPRequestEntityTooLarge:
        return web.json_response(errors.bad_request("file too large").body(), status=413)
    if slot.type == "image":
        return web.json_response({"photos": {str(photo_id): {"token": slot.token}}})
    return web.json_response({"fileId": stored.file_unique_id, "token": slot.token})


async def handle_file(request: web.Request) -> web.StreamResponse:
    """The download host: a file by the URL in an attachment's payload."""
    world = request.app[MAX_KEY]
    stored = world.files.state.files.get(request.match_info["file_id"])
    if stored is None:
        return web.json_response(errors.not_found("file not found").body(), status=404)
    headers = {"Content-Type": stored.mime_type}
    if stored.kind != "photo":
        ascii_name = stored.file_name.encode("ascii", "replace").decode().replace('"', "_")
        headers["Content-Disposition"] = (
            f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(stored.file_name)}"
        )
    return web.FileResponse(world.files.disk_path(stored), headers=headers)


# -- messages ---------------------------------------------------------------------


@route("POST", "/messages", "sendMessage")
async def send_message(world: MaxWorld, call: Call) -> dict[str, Any]:
    user = _target(world, call.query)
    _can_write(user)
    body = conversation.read_body(world, call.body, user)
    if not body.text and not body.attachments:
        raise errors.bad_request("the message must have text or attachments")
    record = conversation.post(
        world,
        user,
        from_bot=True,
        text=body.text,
        markup=body.markup,
        attachments=body.attachments,
        link=body.link,
    )
    return {"message": public_message(record.message, world.base_url)}


def _own(record: MaxMessage, what: str) -> None:
    if not record.from_bot:
        raise MaxError(403, "access.denied", f"the bot can {what} only its own messages")


@route("PUT", "/messages", "editMessage")
async def edit_message(world: MaxWorld, call: Call) -> dict[str, Any]:
    record = _message(world, call.query.get("message_id"))
    _own(record, "edit")
    user = world.state.users[record.user_id]
    body = conversation.read_body(world, call.body, user)
    conversation.edit(record, body)
    world.state.put_message(record)
    return {"success": True}


@route("DELETE", "/messages", "deleteMessage")
async def delete_message(world: MaxWorld, call: Call) -> dict[str, Any]:
    record = _message(world, call.query.get("message_id"))
    _own(record, "delete")
    world.state.drop_message(record)
    return {"success": True}


@route("GET", "/messages", "getMessages")
async def get_messages(world: MaxWorld, call: Call) -> dict[str, Any]:
    ids = [m for m in (call.query.get("message_ids") or "").split(",") if m]
    if ids:
        found = [world.state.messages[m] for m in ids if m in world.state.messages]
    else:
        if _int(call.query, "chat_id") is None:
            raise errors.bad_request("chat_id or message_ids is required")
        count = _int(call.query, "count") or 50
        if not 1 <= count <= 100:
            raise errors.bad_request("count must be 1-100")
        found = list(reversed(world.state.dialog(_target(world, call.query).user_id)))[:count]
    return {"messages": [public_message(r.message, world.base_url) for r in found]}


@route("GET", r"/messages/(?P<mid>[a-zA-Z0-9_.\-]+)", "getMessageById")
async def get_message(world: MaxWorld, call: Call) -> dict[str, Any]:
    return public_message(_message(world, call.match["mid"]).message, world.base_url)


@route("POST", "/answers", "answerOnCallback")
async def answer(world: MaxWorld, call: Call) -> dict[str, Any]:
    callback_id = call.query.get("callback_id")
    if not callback_id:
        raise errors.bad_request("callback_id is required")
    callback = world.state.callbacks.get(callback_id)
    if callback is None:
        raise errors.not_found("callback not found")
    body = _object(call.body)
    notification, message = body.get("notification"), body.get("message")
    if notification is not None and not isinstance(notification, str):
        raise errors.bad_request("notification must be a string")
    if not notification and message is None:
        raise errors.bad_request("either message or notification is required")
    if message is not None:
        record = world.state.messages.get(callback.mid)
        if record is None:
            raise errors.not_found("the message of this callback is gone")
        read = conversation.read_body(world, message, world.state.users[record.user_id])
        conversation.edit(record, read)
        world.state.put_message(record)
        callback.message_replaced = True
    callback.answered = True
    if notification:
        callback.notification = notification
    world.state.put_callback(callback)
    return {"success": True}


# -- chats ------------------------------------------------------------------------


def _dialog_user(world: MaxWorld, call: Call) -> MaxUser:
    chat_id = int(call.match["chat_id"])
    owner = dialog_user_id(chat_id)
    if owner is None or owner not in world.state.users:
        raise errors.chat_not_found(str(chat_id))
    return world.state.users[owner]


@route("GET", r"/chats/(?P<chat_id>-?\d+)", "getChat")
async def get_chat(world: MaxWorld, call: Call) -> dict[str, Any]:
    user = _dialog_user(world, call)
    dialog = world.state.dialog(user.user_id)
    last = dialog[-1].message["timestamp"] if dialog else user.last_activity_time
    return dialog_dict(world.state.bot, user, last, len(dialog))


@route("POST", r"/chats/(?P<chat_id>-?\d+)/actions", "sendAction")
async def send_action(world: MaxWorld, call: Call) -> dict[str, Any]:
    user = _dialog_user(world, call)
    action = _object(call.body).get("action")
    if action not in _ACTIONS:
        raise errors.bad_request(f"action must be one of {', '.join(_ACTIONS)}")
    _can_write(user)
    world.actions[user.user_id] = (str(action), time.time())
    world.state.touch_meta()  # the web chat shows "typing…"
    return {"success": True}


# -- dispatch ---------------------------------------------------------------------


def _object(body: Any) -> dict[str, Any]:
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise errors.bad_request("the request body must be a JSON object")
    return body


async def _read_body(request: web.Request) -> Any:
    if not request.can_read_body:
        return None
    raw = await request.read()
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError:
        raise errors.bad_request("the request body is not valid JSON") from None


def _find(method: str, path: str) -> tuple[Route, dict[str, str]]:
    allowed = False
    for candidate in ROUTES:
        found = candidate.pattern.fullmatch(path)
        if found is None:
            continue
        if candidate.method == method:
            return candidate, found.groupdict()
        allowed = True
    if allowed:
        raise errors.not_allowed(f"{method} is not allowed on {path}")
    raise errors.not_found(f"{path} is not a method of the MAX Bot API")


def _token(request: web.Request) -> str | None:
    return request.headers.get("Authorization") or request.query.get("access_token")


def _as_max(error: ApiError) -> MaxError:
    """A fault switch's (Telegram-shaped) error as MAX would answer it."""
    if isinstance(error, TooManyRequests):
        return errors.too_many_requests(error.retry_after)
    if isinstance(error, ServerError):
        return errors.internal_error("sandbox fault switch")
    if isinstance(error, BadRequest):
        return errors.bad_request("sandbox fault switch")
    return MaxError(error.status, "sandbox.fault", error.description)


async def call_method(world: MaxWorld, request: web.Request) -> dict[str, Any]:
    found, match = _find(request.method, "/" + request.match_info["path"])
    if _token(request) != world.state.bot.token:
        raise errors.unauthorized()
    world.base_url = str(request.url.origin())
    world.calls[found.name] += 1
    if found.name != "getUpdates":
        try:
            world.flood.check(found.name, 0, False)
        except TooManyRequests as exc:
            raise errors.too_many_requests(exc.retry_after) from None
    call = Call(request.query, None, match)
    try:
        await world.faults.apply(found.name, _fault_chat(world, call))
    except ApiError as error:
        raise _as_max(error) from None
    if request.method in ("POST", "PUT", "PATCH"):
        call.body = await _read_body(request)
    return await found.handler(world, call)


async def handle(request: web.Request) -> web.Response:
    world = request.app[MAX_KEY]
    try:
        result = await call_method(world, request)
    except MaxError as error:
        return web.json_response(error.body(), status=error.status)
    except web.HTTPRequestEntityTooLarge:
        return web.json_response(errors.bad_request("request too large").body(), status=413)
    except Exception:
        log.exception("MAX method failed")
        return web.json_response(errors.internal_error().body(), status=500)
    return web.json_response(result)


def add_routes(app: web.Application, world: MaxWorld) -> None:
    app[MAX_KEY] = world
    app.router.add_post(PREFIX + "/upload/{slot}", handle_upload)
    app.router.add_get(PREFIX + "/files/{file_id}", handle_file)
    app.router.add_route("*", PREFIX + "/{path:.*}", handle)


__all__ = ["MAX_KEY", "PREFIX", "add_routes"]
