"""Errors the sandbox answers with, shaped like Telegram's own.

Each error becomes Telegram's envelope ``{"ok": false, "error_code", "description"}``
with the same HTTP status, so aiogram raises the exception it would raise
against the real server::

    ApiError
     ├── BadRequest        400  "Bad Request: …"            -> TelegramBadRequest
     ├── Unauthorized      401  "Unauthorized"              -> TelegramUnauthorizedError
     ├── Forbidden         403  "Forbidden: …"              -> TelegramForbiddenError
     ├── NotFound          404  "Not Found"                 -> TelegramNotFound
     ├── Conflict          409  "Conflict: …"               -> TelegramConflictError
     ├── EntityTooLarge    413  "Request Entity Too Large"  -> TelegramEntityTooLarge
     ├── TooManyRequests   429  + parameters.retry_after    -> TelegramRetryAfter
     └── ServerError       500  "Internal Server Error"     -> TelegramServerError
"""

from __future__ import annotations

from typing import Any, ClassVar


class ApiError(Exception):
    status: ClassVar[int] = 400
    prefix: ClassVar[str] = "Bad Request"

    def __init__(self, detail: str = "") -> None:
        self.description = f"{self.prefix}: {detail}" if detail else self.prefix
        super().__init__(self.description)

    def envelope(self) -> dict[str, Any]:
        return {"ok": False, "error_code": self.status, "description": self.description}


class BadRequest(ApiError):
    status = 400
    prefix = "Bad Request"


class Unauthorized(ApiError):
    status = 401
    prefix = "Unauthorized"


class Forbidden(ApiError):
    status = 403
    prefix = "Forbidden"


class NotFound(ApiError):
    status = 404
    prefix = "Not Found"


class Conflict(ApiError):
    status = 409
    prefix = "Conflict"


class EntityTooLarge(ApiError):
    status = 413
    prefix = "Request Entity Too Large"


class TooManyRequests(ApiError):
    status = 429
    prefix = "Too Many Requests"

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(f"retry after {retry_after}")

    def envelope(self) -> dict[str, Any]:
        body = super().envelope()
        body["parameters"] = {"retry_after": self.retry_after}
        return body


class ServerError(ApiError):
    status = 500
    prefix = "Internal Server Error"
