"""Opaque, signed, expiring cursors for HiveMQ's paged lists (clients, Data Hub schemas).

A walk through a list starts on its first page: the mock keeps the list as it stood then
(the ids, in order) and every cursor of the walk is a position in that snapshot. Later writes
(a client connecting, disconnecting, being kicked; the living cluster's churn) do not
invalidate it: the walk goes on and every item present throughout is seen exactly once. That
is how HiveMQ pages: the list comes from the cluster-wide, chunked client iteration its
Extension SDK documents (`ClientService#iterateAllClients`), which clients joining or leaving
do not break and which fails when the cluster topology changes during it. HiveMQ's REST
document is silent on why a cursor stops being valid. So a cursor is 410 when:

* it is older than the TTL, or its walk was evicted (at most `MAX_WALKS` are kept, oldest out:
  nothing is kept without bound), or it was (at most the newest `MAX_ISSUED` tokens are
  remembered: a client paging at full speed issues hundreds a second, the TTL is 10 minutes);
* the cluster's topology (its running nodes) changed since the walk began, or the world was
  reset or restored (`World.archive.epoch`);
* an earlier process issued it.

A cursor the mock did not issue (edited, truncated, made up), or one for another list or other
filters, fails the signature → 400. A token is the base64url of (list, filters digest, walk,
offset) plus an HMAC; tokens are deterministic (the key derives from the world's seed, walks
are numbered from 1), so the same world answers byte for byte the same.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import struct
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

CLIENTS, SCHEMAS, SCRIPTS, DATA_POLICIES, BEHAVIOR_POLICIES = 1, 2, 3, 4, 5  # its list
_BODY = struct.Struct(">B3sQI")  # list, filters digest, walk, offset: 16 bytes
_MAC_BYTES = 14  # 16 + 14 = 30 bytes → 40 base64 characters, no padding
DEFAULT_TTL = 600.0  # seconds; HiveMQ does not document its cursors' lifetime
MAX_WALKS = 64
MAX_ISSUED = 65_536  # tokens remembered, newest kept: 2.6 MiB at most


class InvalidCursor(ValueError):
    """Not a cursor this mock issued."""


class ExpiredCursor(ValueError):
    """A cursor this mock issued that is no longer valid."""


@dataclass(frozen=True, slots=True)
class Walk:
    number: int
    items: Sequence[Any]  # the list (ids, records) as it stood on the first page
    era: Hashable  # the topology and world epoch it began in


class Cursors:
    def __init__(
        self, seed: int, ttl: float = DEFAULT_TTL, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._key = hashlib.sha256(b"mqtt-api-kit hivemq cursor %d" % seed).digest()
        self.ttl = ttl
        self._clock = clock
        self._issued: dict[str, float] = {}  # token → issue time, oldest first
        self._walks: OrderedDict[int, Walk] = OrderedDict()
        self._next_walk = 1

    def begin(self, items: Sequence[Any], era: Hashable) -> Walk:
        """Keep `items` as the list a new walk pages through."""
        # a list that cannot change is kept as it is (fixtures/sessions.py `IdSnapshot`)
        kept = items if getattr(items, "immutable", False) else tuple(items)
        walk = Walk(self._next_walk, kept, era)
        self._next_walk += 1
        self._walks[walk.number] = walk
        while len(self._walks) > MAX_WALKS:
            self._walks.popitem(last=False)
        return walk

    def issue(self, walk: Walk, offset: int, kind: int = CLIENTS, filters: str = "") -> str:
        body = _BODY.pack(kind, _digest(filters), walk.number, offset)
        token = base64.urlsafe_b64encode(body + self._mac(body)).decode()
        now = self._clock()
        self._forget_expired(now)
        self._issued.pop(token, None)  # re-issued: keep the dict ordered by issue time
        self._issued[token] = now
        return token

    def resolve(
        self, token: str, era: Hashable, kind: int = CLIENTS, filters: str = ""
    ) -> tuple[Walk, int]:
        """The walk and offset `token` points at; InvalidCursor (not ours, or issued for
        another list or other filters) or ExpiredCursor otherwise."""
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
        issued_kind, digest, number, offset = _BODY.unpack(body)
        if issued_kind != kind or digest != _digest(filters):
            raise InvalidCursor(token)
        issued_at = self._issued.get(token)
        walk = self._walks.get(number)
        if (
            issued_at is None
            or self._clock() - issued_at > self.ttl
            or walk is None
            or walk.era != era
        ):
            raise ExpiredCursor(token)
        return walk, offset

    def _mac(self, body: bytes) -> bytes:
        return hmac.new(self._key, body, hashlib.sha256).digest()[:_MAC_BYTES]

    def _forget_expired(self, now: float) -> None:
        # Oldest first, and only those: a copy of every token per page made a walk quadratic
        # (at 400 pages a second, 80% of a HiveMQ page's time after a minute of paging).
        issued = self._issued
        while issued:
            token, issued_at = next(iter(issued.items()))
            if now - issued_at <= self.ttl and len(issued) < MAX_ISSUED:
                break
            del issued[token]


def _digest(filters: str) -> bytes:
    return hashlib.sha256(filters.encode()).digest()[:3] if filters else bytes(3)
