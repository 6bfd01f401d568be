"""Opaque, signed, expiring cursors for HiveMQ's paged client list.

A cursor names a position in one list (clients, Data Hub schemas), under one set of filters,
as the world stood at one `revision`. It is the base64url of (list, filters digest, revision,
offset) plus an HMAC: a cursor the mock did not issue (edited,
truncated, made up) fails the signature → 400. One that was issued but is no longer valid —
older than the TTL, the world changed since (any write moves `World.revision`), or issued by
an earlier process — is 410, as HiveMQ answers: start again without a cursor.

Tokens are deterministic (the key derives from the world's seed), so the same world answers
byte for byte the same; the issue time is kept here, not in the token.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import struct
import time
from collections.abc import Callable

CLIENTS, SCHEMAS = 1, 2  # the list a cursor belongs to
_BODY = struct.Struct(">B3sQI")  # list, filters digest, revision, offset: 16 bytes
_MAC_BYTES = 14  # 16 + 14 = 30 bytes → 40 base64 characters, no padding
DEFAULT_TTL = 600.0  # seconds; HiveMQ does not document its cursors' lifetime


class InvalidCursor(ValueError):
    """Not a cursor this mock issued."""


class ExpiredCursor(ValueError):
    """A cursor this mock issued that is no longer valid."""


class Cursors:
    def __init__(
        self, seed: int, ttl: float = DEFAULT_TTL, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._key = hashlib.sha256(b"mqtt-api-kit hivemq cursor %d" % seed).digest()
        self.ttl = ttl
        self._clock = clock
        self._issued: dict[str, float] = {}  # token → issue time, oldest first

    def issue(self, revision: int, offset: int, kind: int = CLIENTS, filters: str = "") -> str:
        body = _BODY.pack(kind, _digest(filters), revision, offset)
        token = base64.urlsafe_b64encode(body + self._mac(body)).decode()
        now = self._clock()
        self._forget_expired(now)
        self._issued.pop(token, None)  # re-issued: keep the dict ordered by issue time
        self._issued[token] = now
        return token

    def resolve(self, token: str, revision: int, kind: int = CLIENTS, filters: str = "") -> int:
        """The offset `token` points at; InvalidCursor (not ours, or issued for another list or
        other filters) or ExpiredCursor otherwise."""
        try:
            raw = base64.b64decode(token.encode("ascii"), altchars=b"-_", validate=True)
        except (binascii.Error, ValueError, UnicodeEncodeError) as exc:
            raise InvalidCursor(token) from exc
        body, mac = raw[: _BODY.size], raw[_BODY.size :]
        canonical = base64.urlsafe_b64encode(raw).decode() == token  # no `+`, `/` look-alikes
        if (
            not canonical
            or len(raw) != _BODY.size + _MAC_BYTES
            or not hmac.compare_digest(mac, self._mac(body))
        ):
            raise InvalidCursor(token)
        issued_kind, digest, issued_revision, offset = _BODY.unpack(body)
        if issued_kind != kind or digest != _digest(filters):
            raise InvalidCursor(token)
        issued_at = self._issued.get(token)
        if issued_at is None or self._clock() - issued_at > self.ttl or issued_revision != revision:
            raise ExpiredCursor(token)
        return int(offset)

    def _mac(self, body: bytes) -> bytes:
        return hmac.new(self._key, body, hashlib.sha256).digest()[:_MAC_BYTES]

    def _forget_expired(self, now: float) -> None:
        for token, issued_at in list(self._issued.items()):
            if now - issued_at <= self.ttl:
                break
            del self._issued[token]


def _digest(filters: str) -> bytes:
    return hashlib.sha256(filters.encode()).digest()[:3] if filters else bytes(3)
