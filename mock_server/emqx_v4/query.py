"""Client-list filters and paging, as emqx_mgmt_api_clients / emqx_mgmt_api do them (4.4).

Filters arrive already type-checked by the OpenAPI layer (integers are ints). Semantics:
exact matches, case-sensitive substrings for `_like_*`, inclusive ranges for `_gte_/_lte_*`
with timestamps in Unix **seconds** compared against millisecond times.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import islice
from typing import Any, TypeVar

from mqtt_api_kit.fixtures import Client

T = TypeVar("T")
Predicate = Callable[[Client], bool]

_EXACT: dict[str, Callable[[Client], object]] = {
    "clientid": lambda c: c.clientid,
    "username": lambda c: c.username,
    "zone": lambda c: c.zone,
    "conn_state": lambda c: c.conn_state,
    "clean_start": lambda c: "true" if c.clean_start else "false",
    "proto_name": lambda c: c.proto_name,
    "proto_ver": lambda c: c.proto_ver,
}
_LIKE: dict[str, Callable[[Client], str]] = {
    "_like_clientid": lambda c: c.clientid,
    "_like_username": lambda c: c.username or "",
}
_RANGES: dict[str, tuple[Callable[[Client], int], int]] = {
    # name suffix → (value getter, multiplier from the query unit to the stored unit)
    "created_at": (lambda c: c.created_at, 1000),
    "connected_at": (lambda c: c.connected_at, 1000),
    "mqueue_len": (lambda c: c.mqueue_len, 1),
    "mqueue_dropped": (lambda c: c.mqueue_dropped, 1),
}
FILTER_PARAMS = frozenset(
    [*_EXACT, *_LIKE, "ip_address"] + [f"_{op}_{name}" for name in _RANGES for op in ("gte", "lte")]
)


def client_predicates(params: Mapping[str, Any]) -> list[Predicate]:
    """One predicate per recognised filter parameter present in `params`."""
    preds: list[Predicate] = []
    for name, getter in _EXACT.items():
        if name in params:
            preds.append(_equals(getter, params[name]))
    for name, text_of in _LIKE.items():
        if name in params:
            preds.append(_contains(text_of, str(params[name])))
    if "ip_address" in params:
        wanted = _ip_parts(str(params["ip_address"]))
        preds.append(lambda c: _ip_parts(c.ip_address) == wanted)
    for name, (getter, scale) in _RANGES.items():
        low, high = params.get(f"_gte_{name}"), params.get(f"_lte_{name}")
        if low is not None or high is not None:
            preds.append(_within(getter, _scaled(low, scale), _scaled(high, scale)))
    return preds


def _equals(getter: Callable[[Client], object], wanted: object) -> Predicate:
    return lambda c: getter(c) == wanted


def _contains(text_of: Callable[[Client], str], part: str) -> Predicate:
    return lambda c: part in text_of(c)


def _within(getter: Callable[[Client], int], low: int | None, high: int | None) -> Predicate:
    def check(c: Client) -> bool:
        value = getter(c)
        return (low is None or value >= low) and (high is None or value <= high)

    return check


def _scaled(value: int | None, scale: int) -> int | None:
    return None if value is None else int(value) * scale


def _ip_parts(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".") if part.isdigit())


@dataclass(frozen=True, slots=True)
class Page:
    """`_page`/`_limit` as the broker reads them (page ≤ 1 means the first page)."""

    page: int
    limit: int

    @classmethod
    def from_params(cls, params: Mapping[str, Any], default_limit: int) -> Page:
        return cls(int(params.get("_page", 1)), int(params.get("_limit", default_limit)))

    @property
    def offset(self) -> int:
        return (max(self.page, 1) - 1) * self.limit

    def take(self, rows: Iterable[T]) -> tuple[list[T], bool]:
        """The rows of this page and whether another row follows (fetch limit + 1)."""
        start = min(self.offset, sys.maxsize)  # the broker takes any integer; islice cannot
        window = list(islice(rows, start, min(start + self.limit + 1, sys.maxsize)))
        return window[: self.limit], len(window) > self.limit

    def meta(self, count: int, hasnext: bool) -> dict[str, Any]:
        return {"page": self.page, "limit": self.limit, "count": count, "hasnext": hasnext}


def matching(rows: Iterable[T], preds: list[Callable[[T], bool]]) -> Iterator[T]:
    return (row for row in rows if all(p(row) for p in preds))
