"""The MAX world's objects in MAX's JSON shape, and file URLs made absolute.

Stored messages keep attachment URLs relative (``/max/files/<id>``) so they
survive a restart on another port; ``public_*`` turns them into absolute URLs
of the server the bot talks to.
"""

from __future__ import annotations

import copy
from typing import Any

from sandbox.max.model import MaxBot, MaxUser, dialog_chat_id


def full_name(first_name: str, last_name: str | None) -> str:
    return f"{first_name} {last_name}" if last_name else first_name


def user_dict(user: MaxUser) -> dict[str, Any]:
    data: dict[str, Any] = {
        "user_id": user.user_id,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "username": user.username,
        "is_bot": False,
        "last_activity_time": user.last_activity_time,
        "name": full_name(user.first_name, user.last_name),
    }
    return {k: v for k, v in data.items() if v is not None or k == "username"}


def bot_dict(bot: MaxBot, last_activity_time: int) -> dict[str, Any]:
    data: dict[str, Any] = {
        "user_id": bot.user_id,
        "first_name": bot.first_name,
        "last_name": bot.last_name,
        "username": bot.username,
        "is_bot": True,
        "last_activity_time": last_activity_time,
        "name": full_name(bot.first_name, bot.last_name),
    }
    return {k: v for k, v in data.items() if v is not None or k == "username"}


def bot_info(bot: MaxBot, last_activity_time: int) -> dict[str, Any]:
    """GET /me: the bot as a User with its description and commands."""
    info = bot_dict(bot, last_activity_time)
    info["description"] = bot.description
    info["commands"] = list(bot.commands) or None
    return info


def dialog_dict(bot: MaxBot, user: MaxUser, last_event_time: int, count: int) -> dict[str, Any]:
    """GET /chats/{chatId} for a dialog."""
    return {
        "chat_id": dialog_chat_id(user.user_id),
        "type": "dialog",
        "status": "active",
        "title": None,
        "icon": None,
        "last_event_time": last_event_time,
        "participants_count": 2,
        "owner_id": None,
        "participants": None,
        "is_public": False,
        "link": None,
        "description": None,
        "dialog_with_user": user_dict(user),
        "messages_count": count,
        "pinned_message": None,
    }


def _absolute_body(body: dict[str, Any], base_url: str) -> None:
    for attachment in body.get("attachments") or []:
        payload = attachment.get("payload")
        if isinstance(payload, dict):
            url = payload.get("url")
            if isinstance(url, str) and url.startswith("/"):
                payload["url"] = base_url + url


def public_message(message: dict[str, Any], base_url: str) -> dict[str, Any]:
    shown = copy.deepcopy(message)
    _absolute_body(shown.get("body") or {}, base_url)
    link = shown.get("link")
    if isinstance(link, dict) and isinstance(link.get("message"), dict):
        _absolute_body(link["message"], base_url)
    return shown


def public_update(update: dict[str, Any], base_url: str) -> dict[str, Any]:
    if not isinstance(update.get("message"), dict):
        return update
    shown = dict(update)
    shown["message"] = public_message(update["message"], base_url)
    return shown
