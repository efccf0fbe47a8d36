"""Forum topics: create, edit, close, reopen, delete.

Only in forum supergroups, and only for a bot that is an administrator there.
Each change leaves a service message in the topic, as on Telegram; a new
topic's id is the id of its "topic created" message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sandbox._conversation import bot_is_admin, check_bot_can_post, find_chat, post
from sandbox._errors import BadRequest
from sandbox._params import Params
from sandbox._rules import TOPIC_NAME_LIMIT
from sandbox.methods.registry import method
from sandbox.model import TOPIC_COLORS, Chat, Topic
from sandbox.serialize import topic_dict

if TYPE_CHECKING:
    from sandbox.core import Sandbox


def _forum(sb: Sandbox, params: Params) -> Chat:
    chat = find_chat(sb.state, params.chat_id())
    if chat.type != "supergroup" or not chat.is_forum:
        raise BadRequest("the chat is not a forum")
    check_bot_can_post(sb.state, chat)
    if not bot_is_admin(sb.state, chat):
        raise BadRequest("not enough rights to manage topics")
    return chat


def _topic(sb: Sandbox, chat: Chat, params: Params) -> Topic:
    topic = sb.state.topics.get((chat.id, params.int("message_thread_id")))
    if topic is None:
        raise BadRequest("message thread not found")
    return topic


def _name(params: Params, *, required: bool) -> str | None:
    name = params.str("name") if required else params.opt_str("name")
    if name is not None and not 1 <= len(name) <= TOPIC_NAME_LIMIT:
        raise BadRequest("TOPIC_NAME_INVALID")
    return name


def _service(sb: Sandbox, chat: Chat, topic: Topic, field: str, body: dict[str, Any]) -> None:
    post(sb.state, chat, None, {field: body}, topic=topic)


@method("createForumTopic")
async def create_forum_topic(sb: Sandbox, params: Params) -> dict[str, Any]:
    chat = _forum(sb, params)
    name = _name(params, required=True)
    assert name is not None
    color = params.opt_int("icon_color") or TOPIC_COLORS[0]
    if color not in TOPIC_COLORS:
        raise BadRequest("TOPIC_ICON_COLOR_INVALID")
    thread_id = chat.next_message_id  # the id of the service message below
    topic = Topic(chat.id, thread_id, name, color, params.opt_str("icon_custom_emoji_id"))
    sb.state.put_topic(topic)
    created = {"name": name, "icon_color": color}
    _service(sb, chat, topic, "forum_topic_created", created)
    return topic_dict(topic)


@method("editForumTopic")
async def edit_forum_topic(sb: Sandbox, params: Params) -> bool:
    chat = _forum(sb, params)
    topic = _topic(sb, chat, params)
    name = _name(params, required=False)
    edited: dict[str, Any] = {}
    if name is not None:
        topic.name = edited["name"] = name
    if params.present("icon_custom_emoji_id"):
        topic.icon_custom_emoji_id = edited["icon_custom_emoji_id"] = params.str(
            "icon_custom_emoji_id"
        )
    if not edited:
        raise BadRequest("TOPIC_NOT_MODIFIED")
    sb.state.put_topic(topic)
    _service(sb, chat, topic, "forum_topic_edited", edited)
    return True


async def _set_closed(sb: Sandbox, params: Params, closed: bool) -> bool:
    chat = _forum(sb, params)
    topic = _topic(sb, chat, params)
    if topic.closed == closed:
        raise BadRequest("TOPIC_NOT_MODIFIED")
    topic.closed = closed
    sb.state.put_topic(topic)
    _service(sb, chat, topic, "forum_topic_closed" if closed else "forum_topic_reopened", {})
    return True


@method("closeForumTopic")
async def close_forum_topic(sb: Sandbox, params: Params) -> bool:
    return await _set_closed(sb, params, True)


@method("reopenForumTopic")
async def reopen_forum_topic(sb: Sandbox, params: Params) -> bool:
    return await _set_closed(sb, params, False)


@method("deleteForumTopic")
async def delete_forum_topic(sb: Sandbox, params: Params) -> bool:
    chat = _forum(sb, params)
    delete_topic(sb, chat, _topic(sb, chat, params))
    return True


def delete_topic(sb: Sandbox, chat: Chat, topic: Topic) -> None:
    """The topic and every message in it go (Telegram sends the bot no update)."""
    for message in sb.state.chat_messages(chat.id):
        if message.get("message_thread_id") == topic.message_thread_id:
            sb.state.drop_message(chat.id, message["message_id"])
    sb.state.drop_topic(topic)
