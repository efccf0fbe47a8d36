"""Errors of the MAX Bot API, in MAX's own shape: ``{"code": "...", "message": "..."}``.

The codes are those MAX answers with (seen in its docs, its official clients'
fixtures and bots that handle them): ``verify.token`` (401),
``proto.payload`` (400, a request MAX cannot accept), ``attachment.not.ready``
(400, an upload still being processed), ``chat.denied`` (403, the user
stopped the bot or never started it), ``chat.not.found`` / ``not.found``
(404), ``too.many.requests`` (429), ``internal.error`` (500).
"""

from __future__ import annotations

from typing import Any


class MaxError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message

    def body(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message}


def bad_request(message: str) -> MaxError:
    """A request MAX refuses as it stands (retrying the same request cannot help)."""
    return MaxError(400, "proto.payload", message)


def unauthorized() -> MaxError:
    return MaxError(401, "verify.token", "Invalid access_token")


def denied(message: str) -> MaxError:
    return MaxError(403, "chat.denied", message)


def chat_not_found(what: str) -> MaxError:
    return MaxError(404, "chat.not.found", f"Chat {what} not found")


def not_found(message: str) -> MaxError:
    return MaxError(404, "not.found", message)


def not_allowed(message: str) -> MaxError:
    return MaxError(405, "method.not.allowed", message)


def too_many_requests(retry_after: int) -> MaxError:
    return MaxError(
        429, "too.many.requests", f"Too many requests: about 30 a second, retry in {retry_after} s"
    )


def not_ready() -> MaxError:
    return MaxError(
        400, "attachment.not.ready", "Key: errors.process.attachment.file.not.processed"
    )


def internal_error(message: str = "Internal server error") -> MaxError:
    return MaxError(500, "internal.error", message)
