"""EMQX 4.x checks the OpenAPI document cannot express.

* EMQX answers business errors with HTTP 200 and a non-zero `code`. A schema accepts both
  shapes, so a broker answering every valid request with an error would pass it; here a valid
  request may only get the codes its operation lists in `x-emqx.business-codes` (e.g. 112 for
  a client that does not exist).
* Paged `meta` must agree with the request: `page` and `limit` echoed, no more rows than
  `limit`, and `hasnext`/`count` consistent with the rows returned.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import schemathesis
from schemathesis import CheckContext, Response

from mqtt_api_kit.openapi.extensions import facts

from .common import is_int, is_valid_request, json_body, query_int

if TYPE_CHECKING:
    from schemathesis.specs.openapi.schemas import OpenApiCase


@schemathesis.check
def emqx_business_code(ctx: CheckContext, response: Response, case: OpenApiCase) -> bool | None:
    """A valid request gets `code` 0, or one of the codes its operation documents."""
    if response.status_code != 200 or not is_valid_request(case):
        return None
    body = json_body(response)
    if not isinstance(body, dict) or "code" not in body or body["code"] == 0:
        return None
    allowed = facts(case.operation.definition.raw, "x-emqx").get("business-codes")
    if allowed is None or body["code"] in allowed:
        return None
    message = body.get("message")
    said = f" ({message!r})" if message is not None else ""  # NanoMQ sends a bare {"code":111}
    raise AssertionError(
        f"a valid request was answered with business error code {body['code']}{said}; "
        f"this operation documents only {allowed or 'code 0'}"
    )


@schemathesis.check
def emqx_paging_meta(ctx: CheckContext, response: Response, case: OpenApiCase) -> bool | None:
    """`meta` echoes the request and agrees with the rows returned."""
    body = json_body(response)
    if response.status_code != 200 or not isinstance(body, dict):
        return None
    meta, data = body.get("meta"), body.get("data")
    if not isinstance(meta, dict) or not isinstance(data, list):
        return None
    problems: list[str] = []
    page, limit = query_int(case, "_page"), query_int(case, "_limit")
    if page is not None and meta.get("page") != page:
        problems.append(f"meta.page is {meta.get('page')!r}, the request asked for {page}")
    if limit is not None and meta.get("limit") != limit:
        problems.append(f"meta.limit is {meta.get('limit')!r}, the request asked for {limit}")
    shown_limit = meta.get("limit")
    if isinstance(shown_limit, int) and len(data) > shown_limit:
        problems.append(f"{len(data)} rows on a page of limit {shown_limit}")
    problems += _hasnext_problems(meta, len(data))
    if problems:
        raise AssertionError("paging meta disagrees with the answer: " + "; ".join(problems))
    return None


def _hasnext_problems(meta: dict[str, Any], rows: int) -> list[str]:
    page, limit, count, hasnext = (meta.get(k) for k in ("page", "limit", "count", "hasnext"))
    if not (is_int(page) and is_int(limit) and is_int(count)):
        return []
    offset = (max(page, 1) - 1) * limit
    problems: list[str] = []
    if hasnext is True and rows < limit:
        problems.append(f"hasnext is true but the page holds {rows} of {limit} rows")
    if count >= 0:  # count is the total when no filter was recognised
        expected = max(0, min(limit, count - offset))
        if rows != expected:
            problems.append(f"count {count} at offset {offset} means {expected} rows, got {rows}")
        if isinstance(hasnext, bool) and hasnext != (offset + limit < count):
            problems.append(f"hasnext is {hasnext} with count {count}, offset {offset}")
    return problems
