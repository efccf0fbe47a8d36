"""Signed, expiring links to a client's page.

A token is ``<payload>.<signature>``, both base64url: the payload names the
client, the manager it was given to and the expiry (epoch seconds); the
signature is HMAC-SHA256 of the payload with the secret.  Whoever changes
any of it -- another client's code, a later expiry -- breaks the signature.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta


class BadLink(Exception):
    """A token that is malformed, forged or expired (the page answers 403)."""


@dataclass(frozen=True)
class Grant:
    client_code: str
    manager_id: int
    expires: datetime


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class LinkSigner:
    def __init__(self, secret: str, ttl: timedelta) -> None:
        if len(secret) < 16:
            raise ValueError("the link secret must be at least 16 characters")
        self._key = secret.encode("utf-8")
        self.ttl = ttl

    def _mac(self, payload: str) -> str:
        return _b64(hmac.new(self._key, payload.encode("utf-8"), hashlib.sha256).digest())

    def sign(self, client_code: str, manager_id: int, now: datetime) -> str:
        expires = int((now + self.ttl).timestamp())
        payload = _b64(f"{client_code}:{manager_id}:{expires}".encode())
        return f"{payload}.{self._mac(payload)}"

    def verify(self, token: str, now: datetime) -> Grant:
        payload, dot, signature = token.partition(".")
        if not dot or not hmac.compare_digest(self._mac(payload), signature):
            raise BadLink("bad signature")
        try:
            client, manager, expires = _unb64(payload).decode("utf-8").split(":")
            grant = Grant(client, int(manager), datetime.fromtimestamp(int(expires), UTC))
        except (ValueError, UnicodeDecodeError) as exc:
            raise BadLink("malformed") from exc
        if grant.expires <= now:
            raise BadLink("expired")
        return grant
