"""EMQ 2.3 (`/api/v2`) checks the OpenAPI document cannot express.

Business codes on valid requests are judged by `emqx_business_code` (shared with 4.x: both
families put `x-emqx.business-codes` on their operations and a numeric `code` in the body).
Here: a paged `result` must agree with the request and with itself, as
`emqttd_mgmt:query_table/4` computes it — `current_page`/`page_size` echo `curr_page` /
`page_size` (defaults 1 and 20), no more `objects` than `page_size`, `total_page` is
`total_num / page_size` rounded up, and a page holds exactly the rows `total_num` leaves for
its offset (pages ≤ 1 are the first page).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import schemathesis
from schemathesis import CheckContext, Response

from .common import is_int, json_body, query_int

if TYPE_CHECKING:
    from schemathesis.specs.openapi.schemas import OpenApiCase

PAGE_KEYS = ("current_page", "page_size", "total_num", "total_page", "objects")
DEFAULT_PAGE, DEFAULT_SIZE = 1, 20


def paging_problems(result: dict[str, Any], asked_page: int, asked_size: int) -> list[str]:
    page, size, total, pages, objects = (result.get(k) for k in PAGE_KEYS)
    problems: list[str] = []
    if page != asked_page:
        problems.append(f"current_page is {page!r}, the request asked for {asked_page}")
    if size != asked_size:
        problems.append(f"page_size is {size!r}, the request asked for {asked_size}")
    if not (is_int(size) and is_int(total) and isinstance(objects, list)) or size < 1:
        return problems
    if len(objects) > size:
        problems.append(f"{len(objects)} objects on a page of size {size}")
    expected_pages = -(-total // size)
    if pages != expected_pages:
        problems.append(f"total_page is {pages!r}; {total} / {size} rounded up is {expected_pages}")
    if is_int(page):
        offset = (page - 1) * size if page > 1 else 0
        expected = max(0, min(size, total - offset))
        if len(objects) != expected:
            problems.append(
                f"total_num {total} at offset {offset} means {expected} objects, got {len(objects)}"
            )
    return problems


@schemathesis.check
def emqx_v2_paging(ctx: CheckContext, response: Response, case: OpenApiCase) -> bool | None:
    """A 2.x paged `result` echoes the request and agrees with its own rows."""
    body = json_body(response)
    if response.status_code != 200 or not isinstance(body, dict) or body.get("code") != 0:
        return None
    result = body.get("result")
    if not isinstance(result, dict) or "total_num" not in result:
        return None
    page = query_int(case, "curr_page")
    size = query_int(case, "page_size")
    problems = paging_problems(
        result, DEFAULT_PAGE if page is None else page, DEFAULT_SIZE if size is None else size
    )
    if problems:
        raise AssertionError("paged result disagrees with the answer: " + "; ".join(problems))
    return None
