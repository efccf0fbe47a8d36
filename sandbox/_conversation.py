"""Messages in chats: who may post where, posting, and what reaches the bot.

Both sides use this module: the Bot API methods (the bot posts) and the
control API (a person posts, presses a button).
"""

from __future__ import annotations

import time
from typing import Any

from sandbox._errors import BadRequest, Forbidden
from sandbox._params import Params
from sandbox._state import Message, State
from sandbox.model import ADMINISTRATOR, CREATOR, PRESENT, Chat, Topic, User
from sandbox.serialize import bot_dict, chat_dict, user_dict

# Fields about a message rather than what it says or shows (copyMessage leaves them).
ENVELOPE_FIELDS = frozenset(
    {
        "message_id",
        "from",
        "chat",
        "date",
        "message_thread_id",
        "is_topic_message",
        "reply_to_message",
        "reply_markup",
        "edit_date",
        "forward_origin",
    }
)


def find_chat(state: State, chat_id: int | str) -> Chat:
    if isinstance(chat_id, str):  # @username: only users have usernames here
        name = chat_id.removeprefix("@").lower()
        user = next((u for u in state.users.values() if (u.username or "").lower() == name), None)
        chat_id = user.id if user else 0
    chat = state.chats.get(chat_id)
    if chat is None:
        raise BadRequest("chat not found")
    return chat


def find_message(state: State, chat: Chat, message_id: int, what: str) -> Message:
    message = state.message(chat.id, message_id)
    if message is None:
        raise BadRequest(f"message to {what} not found")
    return message


def check_bot_can_post(state: State, chat: Chat) -> None:
    """Raise 403 the way Telegram does when the bot may not write into ``chat``."""
    if chat.type == "private":
        user = state.users.get(chat.id)
        if user is None:
            raise Forbidden("bot can't initiate conversation with a user")
        if user.blocked_bot:
            raise Forbidden("bot was blocked by the user")
        if not user.started:
            raise Forbidden("bot can't initiate conversation with a user")
        return
    if chat.status_of(state.bot.id) not in PRESENT:
        kind = "supergroup" if chat.type == "supergroup" else "group"
        raise Forbidden(f"bot is not a member of the {kind} chat")


def bot_is_admin(state: State, chat: Chat) -> bool:
    return chat.status_of(state.bot.id) in (ADMINISTRATOR, CREATOR)


def find_topic(state: State, chat: Chat, thread_id: int | None) -> Topic | None:
    """The forum topic a message goes to; None for the chat itself."""
    if thread_id is None:
        return None
    topic = state.topics.get((chat.id, thread_id))
    if not chat.is_forum or topic is None:
        raise BadRequest("message thread not found")
    return topic


def reply_target(state: State, chat: Chat, params: Params) -> Message | None:
    """The message a bot's message replies to, per reply_to_message_id / reply_parameters."""
    reply_id = params.opt_int("reply_to_message_id")
    allow_missing = params.bool("allow_sending_without_reply")
    parameters = params.json("reply_parameters")
    if isinstance(parameters, dict) and "message_id" in parameters:
        reply_id = int(parameters["message_id"])
        allow_missing = bool(parameters.get("allow_sending_without_reply", allow_missing))
    if reply_id is None:
        return None
    target = state.message(chat.id, reply_id)
    if target is None and not allow_missing:
        raise BadRequest("message to be replied not found")
    return target


def post(
    state: State,
    chat: Chat,
    sender: User | None,
    content: dict[str, Any],
    *,
    topic: Topic | None = None,
    reply_to: Message | None = None,
    markup: dict[str, Any] | None = None,
) -> Message:
    """Put a new message into ``chat``; ``sender`` None means the bot.

    As on Telegram, a reply to a message in a topic lands in that topic, and a
    message in a topic that replies to nothing carries the topic's first
    ("topic created") message as ``reply_to_message``.
    """
    if topic is None and reply_to is not None and reply_to.get("is_topic_message"):
        topic = state.topics.get((chat.id, reply_to["message_thread_id"]))
    if topic is not None and reply_to is None:
        reply_to = state.message(chat.id, topic.message_thread_id)
    message: Message = {
        "message_id": state.allocate_message_id(chat),
        "from": bot_dict(state.bot) if sender is None else user_dict(sender),
        "chat": chat_dict(chat, state.users),
        "date": int(time.time()),
    }
    if topic is not None:
        message["message_thread_id"] = topic.message_thread_id
        message["is_topic_message"] = True
    if reply_to is not None:
        message["reply_to_message"] = {k: v for k, v in reply_to.items() if k != "reply_to_message"}
    # Empty text fields are left out; service bodies may be empty objects and stay.
    message.update({k: v for k, v in content.items() if v not in (None, "", [])})
    if markup is not None:
        message["reply_markup"] = markup
    state.put_message(message)
    if sender is not None:
        _deliver(state, chat, message)
    return message


def _deliver(state: State, chat: Chat, message: Message) -> None:
    """Pass a person's message to the bot if Telegram would."""
    if chat.type != "private":
        if chat.status_of(state.bot.id) not in PRESENT:
            return
        if not bot_is_admin(state, chat) and not _addressed_to_bot(state, message):
            return  # privacy mode: a non-admin bot sees only commands and replies to it
    state.add_update("message", message)


def _addressed_to_bot(state: State, message: Message) -> bool:
    replied = message.get("reply_to_message", {})
    return str(message.get("text", "")).startswith("/") or (
        replied.get("from", {}).get("id") == state.bot.id
    )


def content_of(message: Message) -> dict[str, Any]:
    return {k: v for k, v in message.items() if k not in ENVELOPE_FIELDS}


def is_service(message: Message) -> bool:
    """A service message ("topic created", "topic closed"...): nothing to copy or forward."""
    return any(k.startswith("forum_topic_") for k in message)


def bump_edit(state: State, message: Message) -> None:
    message["edit_date"] = int(time.time())
    state.put_message(message)
