"""Messages in MAX dialogs: what the bot may send, posting, and what reaches the bot.

Both sides use this module: the MAX Bot API (the bot sends, edits, answers
callbacks) and the control API (a user writes, presses a button, starts the bot).
"""

from __future__ import annotations

import copy
import secrets
import time
from dataclasses import dataclass
from typing import Any

from sandbox._errors import ApiError
from sandbox._files import sniff_image
from sandbox._params import Upload
from sandbox.max import errors
from sandbox.max.markup import parse
from sandbox.max.model import MaxCallback, MaxMessage, MaxUpload, MaxUser, dialog_chat_id
from sandbox.max.serialize import bot_dict, user_dict
from sandbox.max.world import MaxWorld, now_ms
from sandbox.model import StoredFile

TEXT_LIMIT = 4000
ATTACHMENT_LIMIT = 12
START_PAYLOAD_LIMIT = 512
CALLBACK_PAYLOAD_LIMIT = 1024
BUTTON_TEXT_LIMIT = 128
URL_LIMIT = 2048
KEYBOARD_ROWS = 30
KEYBOARD_BUTTONS = 210
ROW_BUTTONS = 7
# Rows holding one of these take at most 3 buttons.
WIDE_BUTTONS = frozenset({"link", "open_app", "request_geo_location", "request_contact"})
BUTTON_TYPES = WIDE_BUTTONS | {"callback", "message", "clipboard"}
MEDIA_TYPES = ("image", "video", "audio", "file")
FILES_PATH = "/max/files/"


def mid_for(chat_id: int, seq: int) -> str:
    """A message id as MAX makes them: "mid." + chat id and seq as 16 hex digits each."""
    return f"mid.{chat_id & 0xFFFFFFFFFFFFFFFF:016x}{seq:016x}"


def file_url(file_id: str) -> str:
    return FILES_PATH + file_id


def file_id_of(attachment: dict[str, Any]) -> str | None:
    payload = attachment.get("payload")
    url = payload.get("url") if isinstance(payload, dict) else None
    if isinstance(url, str) and FILES_PATH in url:
        return url.rsplit(FILES_PATH, 1)[1]
    return None


# -- what the bot sends -------------------------------------------------------


def check_keyboard(payload: Any) -> list[list[dict[str, Any]]]:
    """An inline keyboard's rows of buttons, checked against MAX's limits."""
    rows = payload.get("buttons") if isinstance(payload, dict) else None
    if not isinstance(rows, list) or not rows:
        raise errors.bad_request("inline_keyboard: payload.buttons must be a non-empty array")
    if len(rows) > KEYBOARD_ROWS:
        raise errors.bad_request(f"inline_keyboard: at most {KEYBOARD_ROWS} rows")
    checked: list[list[dict[str, Any]]] = []
    total = 0
    for row in rows:
        if not isinstance(row, list) or not row:
            raise errors.bad_request("inline_keyboard: every row must be a non-empty array")
        buttons = [_check_button(button) for button in row]
        wide = any(b["type"] in WIDE_BUTTONS for b in buttons)
        limit = 3 if wide else ROW_BUTTONS
        if len(buttons) > limit:
            raise errors.bad_request(f"inline_keyboard: at most {limit} buttons in this row")
        total += len(buttons)
        checked.append(buttons)
    if total > KEYBOARD_BUTTONS:
        raise errors.bad_request(f"inline_keyboard: at most {KEYBOARD_BUTTONS} buttons")
    return checked


def _check_button(button: Any) -> dict[str, Any]:
    if not isinstance(button, dict):
        raise errors.bad_request("inline_keyboard: a button must be an object")
    kind, text = button.get("type"), button.get("text")
    if kind not in BUTTON_TYPES:
        raise errors.bad_request(f"inline_keyboard: unknown button type {kind!r}")
    if not isinstance(text, str) or not 1 <= len(text) <= BUTTON_TEXT_LIMIT:
        raise errors.bad_request(f"button text must be 1-{BUTTON_TEXT_LIMIT} characters")
    if kind == "callback":
        payload = button.get("payload")
        if not isinstance(payload, str) or len(payload) > CALLBACK_PAYLOAD_LIMIT:
            raise errors.bad_request(
                f"callback button payload must be a string of at most {CALLBACK_PAYLOAD_LIMIT}"
            )
        if button.get("intent", "default") not in (None, "default", "positive", "negative"):
            raise errors.bad_request("callback button intent must be default, positive or negative")
    if kind == "link":
        url = button.get("url")
        if (
            not isinstance(url, str)
            or len(url) > URL_LIMIT
            or not url.startswith(("http://", "https://"))
        ):
            raise errors.bad_request(f"link button url must be http(s), at most {URL_LIMIT}")
    return {k: v for k, v in button.items() if v is not None}


def _upload_of(world: MaxWorld, kind: str, payload: Any) -> MaxUpload:
    if not isinstance(payload, dict):
        raise errors.bad_request(f"{kind} attachment: payload must be an object")
    token = payload.get("token")
    photos = payload.get("photos")
    if token is None and kind == "image" and isinstance(photos, dict) and photos:
        first = next(iter(photos.values()))
        token = first.get("token") if isinstance(first, dict) else None
    if token is None and kind == "image" and payload.get("url"):
        raise errors.bad_request("image by URL: the sandbox is offline, upload it instead")
    if not isinstance(token, str) or not token:
        raise errors.bad_request(f"{kind} attachment: payload.token is required")
    upload = world.state.uploads.get(token)
    if upload is None or (upload.type != kind and not (kind == "file" and upload.type != "image")):
        raise errors.bad_request(f"{kind} attachment: invalid token")
    if time.time() - upload.uploaded_at < world.upload_delay:
        world.not_ready += 1
        raise errors.not_ready()
    return upload


def media_attachment(world: MaxWorld, kind: str, upload: MaxUpload) -> dict[str, Any]:
    """How a message carries an uploaded file (URLs relative to the server)."""
    stored = world.files.state.files[upload.file_id]
    url = file_url(stored.file_id)
    if kind == "image":
        payload = {"photo_id": upload.photo_id, "token": upload.token, "url": url}
        return {"type": "image", "payload": payload}
    attachment: dict[str, Any] = {"type": kind, "payload": {"url": url, "token": upload.token}}
    if kind == "file":
        attachment.update(filename=stored.file_name, size=stored.file_size)
    return attachment


def build_attachments(world: MaxWorld, raw: Any) -> list[dict[str, Any]]:
    """A NewMessageBody's attachments as the message will carry them, or a refusal."""
    if not isinstance(raw, list):
        raise errors.bad_request("attachments must be an array")
    if len(raw) > ATTACHMENT_LIMIT:
        raise errors.bad_request(f"at most {ATTACHMENT_LIMIT} attachments in a message")
    built: list[dict[str, Any]] = []
    for item in raw:
        kind = item.get("type") if isinstance(item, dict) else None
        if kind == "inline_keyboard":
            buttons = check_keyboard(item.get("payload"))
            built.append({"type": kind, "payload": {"buttons": buttons}})
        elif kind in MEDIA_TYPES:
            upload = _upload_of(world, kind, item.get("payload"))
            built.append(media_attachment(world, kind, upload))
        else:
            raise errors.bad_request(f"attachment type {kind!r} is not supported by the sandbox")
    kinds = [a["type"] for a in built]
    if kinds.count("inline_keyboard") > 1:
        raise errors.bad_request("Must be only one inline keyboard in message")
    files = sum(kinds.count(k) for k in ("file", "video", "audio"))
    if files > 1 or (files and "image" in kinds):
        raise errors.bad_request("Must be only one file attachment in message")
    return built


@dataclass
class Body:
    """A NewMessageBody read and checked: None means "leave as it is" (on edits)."""

    text: str | None
    markup: list[dict[str, Any]]
    attachments: list[dict[str, Any]] | None
    link: dict[str, Any] | None


def read_body(world: MaxWorld, raw: Any, user: MaxUser | None) -> Body:
    """Check a NewMessageBody; ``user`` is the dialog a reply link must stay in."""
    if not isinstance(raw, dict):
        raise errors.bad_request("the message body must be a JSON object")
    text = raw.get("text")
    if text is not None and not isinstance(text, str):
        raise errors.bad_request("text must be a string")
    if text is not None and len(text) > TEXT_LIMIT:
        raise errors.bad_request(f"text: size must be between 0 and {TEXT_LIMIT}")
    text_format = raw.get("format")
    if text_format not in (None, "html", "markdown"):
        raise errors.bad_request("format must be html or markdown")
    if raw.get("notify") is not None and not isinstance(raw.get("notify"), bool):
        raise errors.bad_request("notify must be a boolean")
    markup: list[dict[str, Any]] = []
    if text is not None:
        text, markup = parse(text, text_format)
    attachments = raw.get("attachments")
    built = None if attachments is None else build_attachments(world, attachments)
    return Body(text, markup, built, link_to(world, raw.get("link"), user))


def link_to(world: MaxWorld, raw: Any, user: MaxUser | None) -> dict[str, Any] | None:
    """The ``link`` a new message carries for a NewMessageLink (reply or forward)."""
    if raw is None:
        return None
    if not isinstance(raw, dict) or raw.get("type") not in ("reply", "forward"):
        raise errors.bad_request("link must be {type: reply|forward, mid}")
    target = world.state.messages.get(str(raw.get("mid")))
    if target is None or (
        raw["type"] == "reply" and user is not None and target.user_id != user.user_id
    ):
        raise errors.bad_request("link: the message is not found in this chat")
    return {
        "type": raw["type"],
        "sender": target.message["sender"],
        "chat_id": target.message["recipient"]["chat_id"],
        "message": target.message["body"],
    }


# -- posting ------------------------------------------------------------------


def post(
    world: MaxWorld,
    user: MaxUser,
    *,
    from_bot: bool,
    text: str | None,
    markup: list[dict[str, Any]] | None = None,
    attachments: list[dict[str, Any]] | None = None,
    link: dict[str, Any] | None = None,
) -> MaxMessage:
    """Put a new message into the user's dialog; a user's message reaches the bot."""
    state = world.state
    stamp = now_ms()
    chat_id = dialog_chat_id(user.user_id)
    seq = max(stamp << 16, state.last_seq(user.user_id) + 1)
    body: dict[str, Any] = {"mid": mid_for(chat_id, seq), "seq": seq, "text": text}
    if attachments:
        body["attachments"] = attachments
    if markup:
        body["markup"] = markup
    bot = state.bot
    message: dict[str, Any] = {
        "sender": bot_dict(bot, stamp) if from_bot else user_dict(user),
        "recipient": {
            "chat_id": chat_id,
            "chat_type": "dialog",
            "user_id": user.user_id if from_bot else bot.user_id,
        },
        "timestamp": stamp,
        "body": body,
    }
    if link is not None:
        message["link"] = link
    record = MaxMessage(body["mid"], user.user_id, message)
    state.put_message(record)
    if not from_bot:
        state.add_update(
            {
                "update_type": "message_created",
                "timestamp": stamp,
                "message": copy.deepcopy(message),
                "user_locale": user.locale,
            }
        )
    return record


def edit(record: MaxMessage, body: Body) -> None:
    """Apply a NewMessageBody to a message (null fields stay, [] removes attachments)."""
    current = record.message["body"]
    if body.text is not None:
        current["text"] = body.text
        if body.markup:
            current["markup"] = body.markup
        else:
            current.pop("markup", None)
    if body.attachments is not None:
        if body.attachments:
            current["attachments"] = body.attachments
        else:
            current.pop("attachments", None)
    if body.link is not None:
        record.message["link"] = body.link
    if not current.get("text") and not current.get("attachments"):
        raise errors.bad_request("the message would have neither text nor attachments")
    record.edited = True


def start_bot(world: MaxWorld, user: MaxUser, payload: str | None) -> None:
    """The user opened ``https://max.ru/<bot>?start=<payload>`` or pressed Start."""
    if payload is not None and len(payload) > START_PAYLOAD_LIMIT:
        payload = None  # MAX drops longer payloads
    touch_user(world, user, started=True)
    world.state.add_update(
        {
            "update_type": "bot_started",
            "timestamp": now_ms(),
            "chat_id": dialog_chat_id(user.user_id),
            "user": user_dict(user),
            "user_id": user.user_id,
            "payload": payload,
            "user_locale": user.locale,
        }
    )


def stop_bot(world: MaxWorld, user: MaxUser) -> None:
    """The user stopped (blocked) the bot."""
    user.blocked_bot = True
    world.state.put_user(user)
    world.state.add_update(
        {
            "update_type": "bot_stopped",
            "timestamp": now_ms(),
            "chat_id": dialog_chat_id(user.user_id),
            "user": user_dict(user),
            "user_locale": user.locale,
        }
    )


def touch_user(world: MaxWorld, user: MaxUser, *, started: bool = False) -> None:
    user.last_activity_time = now_ms()
    if started:
        user.started, user.blocked_bot = True, False
    world.state.put_user(user)


def press(world: MaxWorld, user: MaxUser, record: MaxMessage, payload: str) -> MaxCallback:
    """The user presses a callback button: the bot gets message_callback."""
    callback = MaxCallback(secrets.token_urlsafe(48), user.user_id, record.mid, payload)
    world.state.put_callback(callback)
    touch_user(world, user)
    stamp = now_ms()
    world.state.add_update(
        {
            "update_type": "message_callback",
            "timestamp": stamp,
            "callback": {
                "timestamp": stamp,
                "callback_id": callback.callback_id,
                "payload": payload,
                "user": user_dict(user),
            },
            "message": copy.deepcopy(record.message),  # as it was when pressed
            "user_locale": user.locale,
        }
    )
    return callback


def keyboard_of(message: dict[str, Any]) -> list[list[dict[str, Any]]] | None:
    for attachment in message["body"].get("attachments") or []:
        if attachment.get("type") == "inline_keyboard":
            buttons: list[list[dict[str, Any]]] = attachment["payload"]["buttons"]
            return buttons
    return None


def has_callback(message: dict[str, Any], payload: str) -> bool:
    rows = keyboard_of(message) or []
    return any(b.get("type") == "callback" and b.get("payload") == payload for r in rows for b in r)


# -- what a user sends --------------------------------------------------------


def user_file(world: MaxWorld, upload: Upload) -> dict[str, Any]:
    """A file a user sends: an image becomes an image attachment, anything else a file."""
    kind = "image" if sniff_image(upload.data) else "file"
    stored: StoredFile = save_file(world, upload, "photo" if kind == "image" else "document")
    photo_id = world.state.allocate_photo_id() if kind == "image" else 0
    token = secrets.token_urlsafe(24)
    # Ready at once: the bot may send a user's file on by its token.
    ready = MaxUpload(token, kind, stored.file_id, uploaded_at=0.0, photo_id=photo_id)
    world.state.put_upload(ready)
    return media_attachment(world, kind, ready)


def save_file(world: MaxWorld, upload: Upload, kind: str) -> StoredFile:
    try:
        return world.files.save(upload, kind)
    except ApiError as error:
        raise errors.bad_request(error.description) from None
