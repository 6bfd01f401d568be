"""Paging of EMQX 4.4's lists, as emqx_mgmt_api does it (`_page`, `_limit`, `meta`).

The client-list filters are in `filters.py`, read from the document.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import islice
from typing import Any, TypeVar

from mqtt_api_kit.openapi import document
from mqtt_api_kit.registry import EMQX_V4

T = TypeVar("T")


def _limit_default(component: str) -> int:
    schema = document(EMQX_V4.document)["components"]["parameters"][component]["schema"]
    return int(schema["default"])


# `management.max_row_limit` (emqx_management.conf; emqx_mgmt:max_row_limit/0 falls back to
# ?MAX_ROW_LIMIT, 10000, emqx_mgmt.erl): the page size emqx_mgmt_api:limit/1 uses when
# `_limit` is absent. The document states it as the `Limit` parameter's default.
MAX_ROW_LIMIT = _limit_default("Limit")
# EMQX Cloud's `/auth_user` and `/emqx_acl` page by 10 (its examples; `CloudLimit`).
CLOUD_DEFAULT_LIMIT = _limit_default("CloudLimit")
# The built-in ACL lists page by 50 (emqx_acl_mnesia_api:limit/1; `AclLimit`).
ACL_DEFAULT_LIMIT = _limit_default("AclLimit")


@dataclass(frozen=True, slots=True)
class Page:
    """`_page`/`_limit` as the broker reads them (page ≤ 1 means the first page)."""

    page: int
    limit: int

    @classmethod
    def from_params(cls, params: Mapping[str, Any], default_limit: int = MAX_ROW_LIMIT) -> Page:
        return cls(int(params.get("_page", 1)), int(params.get("_limit", default_limit)))

    @property
    def offset(self) -> int:
        return (max(self.page, 1) - 1) * self.limit

    def take(self, rows: Iterable[T]) -> tuple[list[T], bool]:
        """The rows of this page and whether another row follows (fetch limit + 1)."""
        start = min(self.offset, sys.maxsize)  # the broker takes any integer; islice cannot
        window = list(islice(rows, start, min(start + self.limit + 1, sys.maxsize)))
        return window[: self.limit], len(window) > self.limit

    def window(self) -> tuple[int, int]:
        """[start, stop) of the rows `take` reads: this page and the one row after it."""
        start = min(self.offset, sys.maxsize)
        return start, min(start + self.limit + 1, sys.maxsize)

    def cut(self, window: list[T]) -> tuple[list[T], bool]:
        """`take` of rows already sliced to `window()`."""
        return window[: self.limit], len(window) > self.limit

    def meta(self, count: int, hasnext: bool) -> dict[str, Any]:
        return {"page": self.page, "limit": self.limit, "count": count, "hasnext": hasnext}


def matching(rows: Iterable[T], preds: list[Callable[[T], bool]]) -> Iterator[T]:
    if len(preds) == 1:  # the common case, at C speed: no generator frame per row
        return filter(preds[0], rows)
    return (row for row in rows if all(p(row) for p in preds))
