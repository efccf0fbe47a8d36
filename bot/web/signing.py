"""Signed, expiring links to a client's page.

A token is ``<payload>.<signature>``, both base64url: the payload names the
client, the manager it was given to, when it was issued (epoch milliseconds)
and when it expires (epoch seconds); the signature is HMAC-SHA256 of the
payload with the secret.  Whoever changes any of it -- another client's code,
a later expiry -- breaks the signature.  The issue time lets a manager's links
be revoked (``storage.links``) without changing the secret.

A token is checked at the edge: anything but ASCII, or a signature of the
wrong length, is refused before any decoding; signatures are compared as bytes.
Tokens made before the issue time was added (three fields) are refused as
malformed: their holder gets a new link from /tickets.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

MAX_TOKEN = 200  # characters; a real token is about 90


class BadLink(Exception):
    """A token that is malformed, forged or expired (the page answers 403)."""


@dataclass(frozen=True)
class Grant:
    client_code: str
    manager_id: int
    issued: datetime
    expires: datetime


def _b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def _unb64(data: bytes) -> bytes:
    return base64.urlsafe_b64decode(data + b"=" * (-len(data) % 4))


class LinkSigner:
    def __init__(self, secret: str, ttl: timedelta) -> None:
        if len(secret) < 16:
            raise ValueError("the link secret must be at least 16 characters")
        self._key = secret.encode("utf-8")
        self.ttl = ttl

    def _mac(self, payload: bytes) -> bytes:
        return _b64(hmac.new(self._key, payload, hashlib.sha256).digest())

    def sign(self, client_code: str, manager_id: int, now: datetime) -> str:
        issued = int(now.timestamp() * 1000)
        expires = int((now + self.ttl).timestamp())
        payload = _b64(f"{client_code}:{manager_id}:{issued}:{expires}".encode())
        return (payload + b"." + self._mac(payload)).decode("ascii")

    def verify(self, token: str, now: datetime) -> Grant:
        if len(token) > MAX_TOKEN or not token.isascii():
            raise BadLink("malformed")
        payload, dot, signature = token.encode("ascii").partition(b".")
        if not dot or not hmac.compare_digest(self._mac(payload), signature):
            raise BadLink("bad signature")
        try:
            client, manager, issued, expires = _unb64(payload).decode("utf-8").split(":")
            grant = Grant(
                client,
                int(manager),
                datetime.fromtimestamp(int(issued) / 1000, UTC),
                datetime.fromtimestamp(int(expires), UTC),
            )
        except (ValueError, OverflowError, OSError) as exc:
            raise BadLink("malformed") from exc
        if grant.expires <= now:
            raise BadLink("expired")
        return grant
