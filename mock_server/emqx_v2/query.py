"""`curr_page`/`page_size` paging, as emqttd_mgmt:query_table/4 does it (2.3).

`curr_page` ≤ 1 is the first page (the cursor skips only when the page is above 1) and is
echoed as sent; `total_page` is `total_num / page_size` rounded up. Parameters arrive
type-checked by the OpenAPI layer (`page_size` ≥ 1: zero crashes the broker, hence 404).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

DEFAULT_PAGE_SIZE = 20


@dataclass(frozen=True, slots=True)
class Page:
    number: int
    size: int

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> Page:
        return cls(int(params.get("curr_page", 1)), int(params.get("page_size", DEFAULT_PAGE_SIZE)))

    def window(self) -> tuple[int, int]:
        """The page's rows as (start, stop) positions of the whole table."""
        start = (self.number - 1) * self.size if self.number > 1 else 0
        start = min(start, sys.maxsize)  # the broker takes any integer; an index array cannot
        return start, min(start + self.size, sys.maxsize)

    def result(self, total: int, objects: list[Any]) -> dict[str, Any]:
        return {
            "current_page": self.number,
            "page_size": self.size,
            "total_num": total,
            "total_page": -(-total // self.size),
            "objects": objects,
        }
