"""Control API: the world (state, users, chats, members) and the switches (flood, faults, stats)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from sandbox._errors import BadRequest
from sandbox._faults import Fault, FaultError
from sandbox._params import Params
from sandbox.control.common import body, chat_of, is_max, json, sandbox_of, user_of
from sandbox.core import Sandbox
from sandbox.max import control as max_control
from sandbox.model import ADMINISTRATOR, CREATOR, KICKED, LEFT, MEMBER, Chat, User

_STATUSES = (CREATOR, ADMINISTRATOR, MEMBER, LEFT, KICKED)


def user_json(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "username": user.username,
        "blocked_bot": user.blocked_bot,
        "started": user.started,
    }


def chat_json(sb: Sandbox, chat: Chat) -> dict[str, Any]:
    title = chat.title
    if chat.type == "private":
        user = sb.state.users.get(chat.id)
        title = user.first_name if user else str(chat.id)
    return {
        "id": chat.id,
        "type": chat.type,
        "title": title,
        "is_forum": chat.is_forum,
        "members": {str(uid): status for uid, status in chat.members.items()},
    }


async def get_state(request: web.Request) -> web.Response:
    sb = sandbox_of(request)
    bot = sb.state.bot
    return json(
        {
            "bot": {
                "id": bot.id,
                "username": bot.username,
                "first_name": bot.first_name,
                "token": bot.token,
            },
            "users": [user_json(u) for u in sb.state.users.values()],
            "chats": [chat_json(sb, c) for c in sb.state.chats.values()],
            "flood_limits": sb.flood.enabled,
            "version": sb.state.version,
            "max": {
                "bot": max_control.bot_json(sb.max),
                "users": [max_control.user_json(u) for u in sb.max.state.users.values()],
            },
        }
    )


def _new_id(params: Params, taken: dict[int, Any], start: int, step: int) -> int:
    given = params.opt_int("id")
    if given is not None:
        return given
    candidate = start
    while candidate in taken:
        candidate += step
    return candidate


async def create_user(request: web.Request) -> web.Response:
    sb = sandbox_of(request)
    params = await body(request)
    if is_max(params):
        return json(max_control.create_user(sb.max, params), status=201)
    user_id = _new_id(params, sb.state.users, 1001, 1)
    if user_id <= 0 or user_id == sb.state.bot.id:
        raise BadRequest("user id must be a positive number other than the bot's")
    user = sb.ensure_user(
        user_id,
        params.str("first_name"),
        params.opt_str("last_name"),
        params.opt_str("username"),
        started=params.bool("started", default=True),
    )
    return json(user_json(user), status=201)


async def block_bot(request: web.Request) -> web.Response:
    sb = sandbox_of(request)
    params = await body(request)
    if is_max(params):
        blocked = params.bool("blocked", default=True)
        return json(max_control.block(sb.max, _path_int(request, "user_id"), blocked))
    user = user_of(sb, _path_int(request, "user_id"))
    user.blocked_bot = params.bool("blocked", default=True)
    sb.state.put_user(user)
    return json(user_json(user))


def _members(params: Params) -> dict[int, str]:
    raw = params.json("members")
    if raw is None:
        return {}
    if isinstance(raw, list):
        raw = {str(uid): MEMBER for uid in raw}
    if not isinstance(raw, dict):
        raise BadRequest('"members" must be a list of user ids or an object {id: status}')
    members: dict[int, str] = {}
    for uid, status in raw.items():
        if status not in _STATUSES:
            raise BadRequest(f"member status must be one of {', '.join(_STATUSES)}")
        try:
            members[int(uid)] = status
        except ValueError:
            raise BadRequest(f"member id {uid!r} is not a number") from None
    return members


async def create_chat(request: web.Request) -> web.Response:
    sb = sandbox_of(request)
    params = await body(request)
    chat_type = params.opt_str("type") or "supergroup"
    if chat_type not in ("group", "supergroup"):
        raise BadRequest('type must be "group" or "supergroup" (private chats come with users)')
    is_forum = params.bool("is_forum")
    if is_forum and chat_type != "supergroup":
        raise BadRequest("only supergroups can be forums")
    chat_id = _new_id(params, sb.state.chats, -1001000000001, -1)
    if chat_id >= 0:
        raise BadRequest("group ids are negative")
    members = _members(params)
    unknown = [uid for uid in members if uid not in sb.state.users]
    if unknown:
        raise BadRequest(f"unknown users: {', '.join(map(str, unknown))}")
    bot_status = ADMINISTRATOR if params.bool("bot_is_admin", default=True) else MEMBER
    chat = sb.ensure_chat(
        chat_id,
        params.str("title"),
        chat_type=chat_type,
        is_forum=is_forum,
        bot_status=bot_status,
        members=members,
    )
    return json(chat_json(sb, chat), status=201)


async def set_member(request: web.Request) -> web.Response:
    sb = sandbox_of(request)
    chat = chat_of(sb, _path_int(request, "chat_id"))
    params = await body(request)
    user_id = params.int("user_id")
    if user_id != sb.state.bot.id:
        user_of(sb, user_id)
    status = params.opt_str("status") or MEMBER
    if status not in _STATUSES:
        raise BadRequest(f"status must be one of {', '.join(_STATUSES)}")
    if chat.type == "private":
        raise BadRequest("private chats have no members to change")
    sb.set_member(chat, user_id, status)
    return json(chat_json(sb, chat))


async def chats_of_user(request: web.Request) -> web.Response:
    """The chats one person sees (the web chat's list)."""
    sb = sandbox_of(request)
    params = await body(request)
    if is_max(params):
        return json(max_control.chats_of(sb.max, params.int("user_id")))
    user = user_of(sb, params.int("user_id"))
    shown = []
    for chat in sb.chats_of(user.id):
        item = chat_json(sb, chat)
        if chat.type == "private":
            item["title"] = sb.state.bot.first_name  # the person sees the bot's name
        action, at = sb.state.chat_actions.get(chat.id, (None, None))
        item.update(bot_action=action, bot_action_at=at)
        shown.append(item)
    return json(shown)


async def set_flood(request: web.Request) -> web.Response:
    sb = sandbox_of(request)
    params = await body(request)
    sb.flood.set_enabled(params.bool("enabled", default=True))
    sb.max.flood.set_enabled(sb.flood.enabled)  # one switch for both messengers
    return json({"enabled": sb.flood.enabled})


async def add_fault(request: web.Request) -> web.Response:
    sb = sandbox_of(request)
    params = await body(request)
    count, retry_after = params.opt_int("count"), params.opt_int("retry_after")
    try:
        fault = Fault(
            method=params.str("method"),
            kind=params.str("kind"),
            count=1 if count is None else count,
            chat_id=params.opt_int("chat_id"),
            retry_after=5 if retry_after is None else retry_after,
            hang_seconds=float(params.raw("hang_seconds") or 60),
        )
    except (FaultError, ValueError) as exc:
        raise BadRequest(str(exc)) from None
    # On MAX, "method" is the operation's name (sendMessage, editMessage, answerOnCallback,
    # getUpdates...; sandbox/README.md) and "chat_id" the user whose dialog it is.
    (sb.max.faults if is_max(params) else sb.faults).add(fault)
    return json(fault.as_dict(), status=201)


async def list_faults(request: web.Request) -> web.Response:
    sb = sandbox_of(request)
    board = sb.max.faults if is_max(await body(request)) else sb.faults
    return json([f.as_dict() for f in board.faults])


async def clear_faults(request: web.Request) -> web.Response:
    sb = sandbox_of(request)
    sb.faults.clear()  # both messengers' switches
    sb.max.faults.clear()
    return json([])


async def stats(request: web.Request) -> web.Response:
    sb = sandbox_of(request)
    return json(
        {
            "refused": {
                "total": sb.flood.refused_total,
                "by_method": dict(sb.flood.refused),
                "by_chat": {str(k): v for k, v in sb.flood.refused_by_chat.items()},
            },
            "calls": dict(sb.calls),
            "faults_applied": dict(sb.faults.applied),
            "pending_updates": len(sb.state.updates),
            "poller_waiting": sb.feed.waiting,
            "flood_limits": sb.flood.enabled,
            "max": max_control.stats(sb.max),
        }
    )


def _path_int(request: web.Request, name: str) -> int:
    try:
        return int(request.match_info[name])
    except ValueError:
        raise BadRequest(f"{name} must be a number") from None


def add_routes(app: web.Application) -> None:
    r = app.router
    r.add_get("/sandbox/api/state", get_state)
    r.add_post("/sandbox/api/users", create_user)
    r.add_post("/sandbox/api/users/{user_id}/block", block_bot)
    r.add_post("/sandbox/api/chats", create_chat)
    r.add_get("/sandbox/api/chats", chats_of_user)
    r.add_post("/sandbox/api/chats/{chat_id}/members", set_member)
    r.add_post("/sandbox/api/flood", set_flood)
    r.add_get("/sandbox/api/faults", list_faults)
    r.add_post("/sandbox/api/faults", add_fault)
    r.add_delete("/sandbox/api/faults", clear_faults)
    r.add_get("/sandbox/api/stats", stats)
