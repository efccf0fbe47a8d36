"""The machine-readable Bot API spec: which parameters a method takes and needs.

The spec lives outside the project (``../shared/spec/telegram-bot-api.json``
next to the repository, or wherever ``SUPPORTDESK_BOTAPI_SPEC`` points). Without
it the sandbox still runs and checks only the required parameters it knows
itself (``FALLBACK_REQUIRED``).
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from sandbox._params import Params

log = logging.getLogger(__name__)

SPEC_ENV = "SUPPORTDESK_BOTAPI_SPEC"

# Required parameters of the implemented methods, used only without the spec.
FALLBACK_REQUIRED: dict[str, tuple[str, ...]] = {
    "sendMessage": ("chat_id", "text"),
    "sendPhoto": ("chat_id", "photo"),
    "sendDocument": ("chat_id", "document"),
    "copyMessage": ("chat_id", "from_chat_id", "message_id"),
    "forwardMessage": ("chat_id", "from_chat_id", "message_id"),
    "editMessageText": ("text",),
    "deleteMessage": ("chat_id", "message_id"),
    "answerCallbackQuery": ("callback_query_id",),
    "getFile": ("file_id",),
    "sendChatAction": ("chat_id", "action"),
    "setMyCommands": ("commands",),
    "getChat": ("chat_id",),
    "getChatMember": ("chat_id", "user_id"),
    "getChatAdministrators": ("chat_id",),
    "createForumTopic": ("chat_id", "name"),
    "editForumTopic": ("chat_id", "message_thread_id"),
    "closeForumTopic": ("chat_id", "message_thread_id"),
    "reopenForumTopic": ("chat_id", "message_thread_id"),
    "deleteForumTopic": ("chat_id", "message_thread_id"),
    "pinChatMessage": ("chat_id", "message_id"),
    "setWebhook": ("url",),
}


@dataclass(frozen=True)
class FieldSpec:
    name: str
    types: tuple[str, ...]
    required: bool


@dataclass(frozen=True)
class MethodSpec:
    name: str
    fields: tuple[FieldSpec, ...]

    @cached_property
    def required(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.required)

    @cached_property
    def scalar_types(self) -> dict[str, tuple[str, ...]]:
        """Parameters whose type can be checked on its own (Integer, Boolean, chat ids)."""
        checked = (("Integer",), ("Boolean",), ("Integer", "String"))
        return {f.name: f.types for f in self.fields if f.types in checked}


class BotApiSpec:
    """Required-flag and scalar-type checks for each method's parameters."""

    def __init__(self, methods: dict[str, MethodSpec], source: Path | None) -> None:
        self.methods = methods
        self.source = source

    @property
    def loaded(self) -> bool:
        return self.source is not None

    def check(self, method: str, params: Params) -> None:
        """Raise BadRequest naming the first missing or mistyped parameter."""
        spec = self.methods.get(method)
        if spec is None:
            for name in FALLBACK_REQUIRED.get(method, ()):
                params.require(name)
            return
        for name in spec.required:
            params.require(name)
        scalar_types = spec.scalar_types
        for name in params.values:
            types = scalar_types.get(name)
            if types is None or not params.present(name):
                continue
            if types == ("Integer",):
                params.int(name)
            elif types == ("Boolean",):
                params.bool(name)
            else:
                params.chat_id(name)


def default_spec_path() -> Path:
    """``../shared/spec/telegram-bot-api.json`` relative to the repository root."""
    return Path(__file__).resolve().parents[2] / "shared" / "spec" / "telegram-bot-api.json"


def load_spec(path: Path | None = None) -> BotApiSpec:
    """Load the spec from ``path``, the environment or next to the repository."""
    env = os.environ.get(SPEC_ENV)
    candidate = path or (Path(env) if env else default_spec_path())
    try:
        raw = json.loads(candidate.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.warning(
            "Bot API spec not readable at %s (%s): only basic parameter checks", candidate, exc
        )
        return BotApiSpec({}, None)
    methods: dict[str, MethodSpec] = {}
    for name, body in raw.get("methods", {}).items():
        fields = tuple(
            FieldSpec(f["name"], tuple(f.get("types", ())), bool(f.get("required")))
            for f in body.get("fields", ())
        )
        methods[name] = MethodSpec(name, fields)
    return BotApiSpec(methods, candidate)
