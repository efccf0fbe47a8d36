"""Parameters of one Bot API call, read from any body Telegram accepts.

Telegram takes parameters from the query string, a form-encoded body, a JSON
body or a multipart body (with files); an empty body is fine too. Complex
values (reply markup, entities, reply parameters) arrive as JSON strings in
form bodies and as objects in JSON bodies; the getters here accept both.
"""

from __future__ import annotations

import builtins
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote

from aiohttp import BodyPartReader, web

from sandbox._errors import BadRequest

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off", ""}


@dataclass(frozen=True)
class Upload:
    """A file sent in a multipart body."""

    filename: str
    content_type: str
    data: bytes


class Params:
    """Typed, validating access to the parameters of one call."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    def __contains__(self, name: builtins.str) -> builtins.bool:
        return self.present(name)

    def present(self, name: builtins.str) -> builtins.bool:
        value = self.values.get(name)
        return value is not None and value != ""

    def raw(self, name: builtins.str) -> Any:
        return self.values.get(name)

    def require(self, name: builtins.str) -> Any:
        if not self.present(name):
            raise BadRequest(f'parameter "{name}" is required')
        return self.values[name]

    def int(self, name: builtins.str) -> builtins.int:
        return _to_int(name, self.require(name))

    def opt_int(self, name: builtins.str) -> builtins.int | None:
        return _to_int(name, self.values[name]) if self.present(name) else None

    def str(self, name: builtins.str) -> builtins.str:
        return _to_str(name, self.require(name))

    def opt_str(self, name: builtins.str) -> builtins.str | None:
        return _to_str(name, self.values[name]) if self.present(name) else None

    def bool(self, name: builtins.str, default: builtins.bool = False) -> builtins.bool:
        return _to_bool(name, self.values[name]) if self.present(name) else default

    def chat_id(self, name: builtins.str = "chat_id") -> builtins.int | builtins.str:
        value = self.require(name)
        if isinstance(value, str) and value.startswith("@"):
            return value
        return _to_int(name, value)

    def json(self, name: builtins.str) -> Any:
        """A JSON-serialized parameter: parsed when it came as a string."""
        if not self.present(name):
            return None
        value = self.values[name]
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError as exc:
                raise BadRequest(f"can't parse {name} JSON object") from exc
        return value

    def file(self, name: builtins.str) -> Upload | builtins.str:
        """An InputFile: an upload, ``attach://<field>`` or a file_id / URL string."""
        value = self.require(name)
        if isinstance(value, Upload):
            return value
        text = _to_str(name, value)
        if text.startswith("attach://"):
            attached = self.values.get(text.removeprefix("attach://"))
            if not isinstance(attached, Upload):
                raise BadRequest(f"{name}: attached file {text} not found in the request")
            return attached
        return text


def _to_int(name: str, value: Any) -> int:
    if isinstance(value, bool):
        raise BadRequest(f'parameter "{name}" must be an Integer')
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise BadRequest(f'parameter "{name}" must be an Integer')


def _to_str(name: str, value: Any) -> str:
    if isinstance(value, Upload):
        raise BadRequest(f'parameter "{name}" must be a String, not a file')
    if isinstance(value, dict | list):
        raise BadRequest(f'parameter "{name}" must be a String')
    return str(value)


def _to_bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise BadRequest(f'parameter "{name}" must be a Boolean')


async def read_params(request: web.Request) -> Params:
    """Collect query-string and body parameters of a Bot API call."""
    values: dict[str, Any] = dict(request.query)
    if not request.can_read_body:
        return Params(values)
    ctype = request.content_type
    if ctype == "multipart/form-data":
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader) or part.name is None:
                continue
            if part.filename is not None:
                data = await part.read()
                content_type = part.headers.get("Content-Type", "application/octet-stream")
                # Some clients percent-encode non-ASCII file names.
                name = unquote(part.filename)
                values[part.name] = Upload(name, content_type, bytes(data))
            else:
                values[part.name] = await part.text()
    elif ctype == "application/json":
        raw = await request.read()
        if raw.strip():
            try:
                body = json.loads(raw)
            except ValueError as exc:
                raise BadRequest("can't parse JSON body") from exc
            if not isinstance(body, dict):
                raise BadRequest("JSON body must be an object")
            values.update(body)
    else:  # application/x-www-form-urlencoded, or no declared type
        raw = await request.read()
        charset = request.charset or "utf-8"
        values.update(parse_qsl(raw.decode(charset, errors="replace"), keep_blank_values=True))
    return Params(values)
