"""EMQX 5 paging: `page`/`limit` and `meta` (emqx_mgmt_api.erl, emqx_dashboard_swagger.erl).

`page` ≥ 1 (default 1) and `limit` 1–10000 (default 100) are checked by the schema before a
handler runs (400 BAD_REQUEST). `meta` is `{page, limit, hasnext}` plus `count` — the number
of matching rows — when the query can count them without a full scan: the list handlers say
when (`count=None` leaves it out). `hasnext` is true when rows follow the page.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any, TypeVar

__all__ = ["DEFAULT_LIMIT", "meta", "page_of"]

DEFAULT_LIMIT = 100  # emqx_mgmt:default_row_limit/0
T = TypeVar("T")


def page_of(rows: Iterable[T], page: int, limit: int) -> tuple[list[T], bool]:
    """The rows of page `page` and whether any row follows them."""
    start = (page - 1) * limit
    if start >= sys.maxsize - limit:  # a page past any table (pos_integer has no bound)
        return [], False
    it: Iterator[T] = iter(rows)
    taken = list(islice(it, start, start + limit))
    more = next(it, None) is not None if len(taken) == limit else False
    return taken, more


def meta(page: int, limit: int, hasnext: bool, count: int | None = None) -> dict[str, Any]:
    shown: dict[str, Any] = {"page": page, "limit": limit, "hasnext": hasnext}
    if count is not None:
        shown["count"] = count
    return shown


def params(query: dict[str, Any]) -> tuple[int, int]:
    return int(query.get("page") or 1), int(query.get("limit") or DEFAULT_LIMIT)
