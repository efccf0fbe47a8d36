"""The bot and its chats: getMe, commands, getChat, members and administrators."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from sandbox._conversation import find_chat
from sandbox._errors import BadRequest
from sandbox._params import Params
from sandbox.methods.registry import method
from sandbox.model import ADMINISTRATOR, CREATOR, PRESENT, Chat
from sandbox.serialize import bot_dict, chat_full_info, chat_member, me_dict, user_dict

if TYPE_CHECKING:
    from sandbox.core import Sandbox


@method("getMe")
async def get_me(sb: Sandbox, params: Params) -> dict[str, Any]:
    return me_dict(sb.state.bot)


def _commands_key(params: Params) -> str:
    scope = params.json("scope") or {"type": "default"}
    if not isinstance(scope, dict) or "type" not in scope:
        raise BadRequest("can't parse BotCommandScope JSON object")
    return json.dumps(scope, sort_keys=True) + "|" + (params.opt_str("language_code") or "")


@method("setMyCommands")
async def set_my_commands(sb: Sandbox, params: Params) -> bool:
    commands = params.json("commands")
    if not isinstance(commands, list) or not all(
        isinstance(c, dict) and c.get("command") and c.get("description") for c in commands
    ):
        raise BadRequest("can't parse commands JSON object")
    if len(commands) > 100:
        raise BadRequest("too many commands")
    sb.state.bot.commands[_commands_key(params)] = commands
    sb.state.touch_bot()
    return True


@method("getMyCommands")
async def get_my_commands(sb: Sandbox, params: Params) -> list[dict[str, Any]]:
    return sb.state.bot.commands.get(_commands_key(params), [])


@method("deleteMyCommands")
async def delete_my_commands(sb: Sandbox, params: Params) -> bool:
    sb.state.bot.commands.pop(_commands_key(params), None)
    sb.state.touch_bot()
    return True


@method("getChat")
async def get_chat(sb: Sandbox, params: Params) -> dict[str, Any]:
    chat = find_chat(sb.state, params.chat_id())
    pinned = sb.state.message(chat.id, chat.pinned_message_id or 0)
    return chat_full_info(chat, sb.state.users, pinned)


def _member(sb: Sandbox, chat: Chat, user_id: int) -> dict[str, Any]:
    if user_id == sb.state.bot.id:
        status = "member" if chat.type == "private" else chat.status_of(user_id)
        return chat_member(status, bot_dict(sb.state.bot))
    user = sb.state.users.get(user_id)
    if user is None:
        raise BadRequest("user not found")
    if chat.type == "private":
        status = "member" if user_id == chat.id else "left"
    else:
        status = chat.status_of(user_id)
    return chat_member(status, user_dict(user))


@method("getChatMember")
async def get_chat_member(sb: Sandbox, params: Params) -> dict[str, Any]:
    chat = find_chat(sb.state, params.chat_id())
    return _member(sb, chat, params.int("user_id"))


@method("getChatAdministrators")
async def get_chat_administrators(sb: Sandbox, params: Params) -> list[dict[str, Any]]:
    chat = find_chat(sb.state, params.chat_id())
    if chat.type == "private":
        raise BadRequest("there are no administrators in the private chat")
    admins = [uid for uid, status in chat.members.items() if status in (CREATOR, ADMINISTRATOR)]
    return [_member(sb, chat, uid) for uid in admins]


@method("getChatMemberCount")
async def get_chat_member_count(sb: Sandbox, params: Params) -> int:
    chat = find_chat(sb.state, params.chat_id())
    if chat.type == "private":
        return 2
    return sum(1 for status in chat.members.values() if status in PRESENT)
