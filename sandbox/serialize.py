"""The sandbox's objects in the Bot API's JSON shape."""

from __future__ import annotations

from typing import Any

from sandbox.model import (
    ADMINISTRATOR,
    CREATOR,
    KICKED,
    LEFT,
    BotIdentity,
    Chat,
    StoredFile,
    Topic,
    User,
)

_ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_promote_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_pin_messages",
    "can_manage_topics",
    "can_send_welcome_messages",
)


def user_dict(user: User) -> dict[str, Any]:
    body: dict[str, Any] = {"id": user.id, "is_bot": False, "first_name": user.first_name}
    if user.last_name:
        body["last_name"] = user.last_name
    if user.username:
        body["username"] = user.username
    body["language_code"] = "ru"
    return body


def bot_dict(bot: BotIdentity) -> dict[str, Any]:
    return {
        "id": bot.id,
        "is_bot": True,
        "first_name": bot.first_name,
        "username": bot.username,
    }


def me_dict(bot: BotIdentity) -> dict[str, Any]:
    """getMe: the bot with its capabilities."""
    return {
        **bot_dict(bot),
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


def chat_dict(chat: Chat, users: dict[int, User]) -> dict[str, Any]:
    """The short Chat object that messages carry."""
    if chat.type == "private":
        body: dict[str, Any] = {"id": chat.id, "type": "private"}
        user = users.get(chat.id)
        if user is not None:
            body["first_name"] = user.first_name
            if user.last_name:
                body["last_name"] = user.last_name
            if user.username:
                body["username"] = user.username
        return body
    body = {"id": chat.id, "type": chat.type, "title": chat.title or ""}
    if chat.is_forum:
        body["is_forum"] = True
    return body


def chat_full_info(chat: Chat, users: dict[int, User], pinned: Any) -> dict[str, Any]:
    """getChat: the ChatFullInfo object."""
    body = chat_dict(chat, users)
    body.update(
        {
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }
    )
    if pinned is not None:
        body["pinned_message"] = pinned
    return body


def chat_member(status: str, member: dict[str, Any]) -> dict[str, Any]:
    """A ChatMember of the right variant for ``status``."""
    if status == CREATOR:
        return {"status": "creator", "user": member, "is_anonymous": False}
    if status == ADMINISTRATOR:
        rights = dict.fromkeys(_ADMIN_RIGHTS, True)
        return {
            "status": "administrator",
            "user": member,
            "can_be_edited": False,
            "is_anonymous": False,
            **rights,
        }
    if status == KICKED:
        return {"status": "kicked", "user": member, "until_date": 0}
    if status == LEFT:
        return {"status": "left", "user": member}
    return {"status": "member", "user": member}


def topic_dict(topic: Topic) -> dict[str, Any]:
    body: dict[str, Any] = {
        "message_thread_id": topic.message_thread_id,
        "name": topic.name,
        "icon_color": topic.icon_color,
    }
    if topic.icon_custom_emoji_id:
        body["icon_custom_emoji_id"] = topic.icon_custom_emoji_id
    return body


def media_content(stored: StoredFile, kind: str | None = None) -> dict[str, Any]:
    """The message field (``photo`` or ``document``) for a stored file.

    A photo sent with sendDocument is shown as a document (``kind``).
    """
    if (kind or stored.kind) == "photo":
        return {
            "photo": [
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "width": stored.width,
                    "height": stored.height,
                    "file_size": stored.file_size,
                }
            ]
        }
    return {
        "document": {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": stored.file_name,
            "mime_type": stored.mime_type,
            "file_size": stored.file_size,
        }
    }


def file_dict(stored: StoredFile) -> dict[str, Any]:
    """getFile: the File object with its download path."""
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.file_size,
        "file_path": stored.path,
    }
