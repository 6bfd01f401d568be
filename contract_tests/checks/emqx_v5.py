"""EMQX 5 checks the OpenAPI document cannot express.

* **Error shape.** EMQX 5 answers every error in one shape (minirest 1.x
  `minirest_handler:reply/3`): a JSON object `{"code": "<UPPER_CASE_ATOM>", "message": …}`.
  A schema with `oneOf` branches or loose error responses would let a foreign shape through
  (4.x's HTTP 200 with a numeric `code`, a plain-text 500, an HTML 404 on a routed path); here
  any 4xx/5xx of a routed operation must have it, and a 2xx must not carry a numeric `code`.
  Two answers are bodiless by the framework's own rule and pass: 405 (a known path, another
  method) and 204. Operations whose `x-emqx.error-shape` is `code-only` may leave out
  `message`; those whose `x-emqx.error-shape` is `reason-code` (the publish
  operations) may refuse with `{"reason_code": <MQTT reason code>, "message": …}` instead.
* **Paging.** `meta` must agree with the request and the rows (emqx_mgmt_api.erl):
  `page`/`limit` echo the request (defaults 1 and 100), a page never holds more than `limit`
  rows, `hasnext` is only true on a full page, and a `count` (when present) is at least the
  rows up to this page — and equals them on the last page. Operations whose `x-emqx.paging`
  is `page-loose` (`GET /banned`: an exact filter answers its ban unpaged) are held to the
  echo and the row bound only; `position` paging (client message queues) must answer
  `meta` `{start, position}` and at most `limit` rows.
"""

from __future__ import annotations

import json
import re
from typing import Any

import schemathesis

from .common import is_valid_request, json_body, query_int

_CODE = re.compile(r"^[A-Z][A-Z0-9_]*$")
_DEFAULT_PAGE, _DEFAULT_LIMIT = 1, 100


def _is_v5(case: Any) -> bool:
    servers = case.operation.schema.raw_schema.get("servers") or [{}]
    return str(servers[0].get("url", "")).rstrip("/").endswith("/api/v5")


def _fact(case: Any, key: str) -> str | None:
    facts = case.operation.definition.raw.get("x-emqx")
    value = facts.get(key) if isinstance(facts, dict) else None
    return value if isinstance(value, str) else None


@schemathesis.check
def emqx_v5_error_shape(ctx: Any, response: Any, case: Any) -> bool | None:
    """Errors are `{"code": "ATOM", "message": …}` JSON; successes carry no numeric code."""
    if not _is_v5(case):
        return None
    status = response.status_code
    body = json_body(response)
    if _fact(case, "error-shape") == "errors-text" and status >= 400 and status != 405:
        # PUT /configs refuses with a JSON text of {errors: …} as text/plain (configs/3).
        try:
            text = json.loads(response.content)
        except (ValueError, UnicodeDecodeError):
            text = None
        if not isinstance(text, dict) or "errors" not in text:
            raise AssertionError(f"HTTP {status} without the load error text {{errors: …}}")
        return None
    if 200 <= status < 300:
        if isinstance(body, dict) and isinstance(body.get("code"), int):
            raise AssertionError(
                f"HTTP {status} with a numeric `code` {body['code']!r}: EMQX 5 reports errors "
                "with their HTTP status, not in a 2xx body"
            )
        return None
    if status == 405 or status < 400:
        return None
    if not isinstance(body, dict):
        kind = (response.headers.get("content-type") or ["none"])[0]
        raise AssertionError(
            f"HTTP {status} without EMQX 5's error shape: the body is not a JSON object "
            f"(content type {kind})"
        )
    problems = []
    code, message = body.get("code"), body.get("message")
    if _fact(case, "error-shape") == "reason-code" and "code" not in body:
        # The publish operations refuse a message with its MQTT reason code.
        if not isinstance(body.get("reason_code"), int) or not isinstance(message, str):
            raise AssertionError(
                f"HTTP {status} without the publish error shape {{reason_code, message}}"
            )
        return None
    if not isinstance(code, str) or not _CODE.match(code):
        problems.append(f"`code` is {code!r}, not an upper-case error name")
    # The LwM2M commands answer `{404, #{code => 'CLIENT_NOT_FOUND'}}` (emqx_lwm2m_api.erl).
    if _fact(case, "error-shape") == "code-only" and "message" not in body:
        message = ""
    if not isinstance(message, str):
        problems.append(f"`message` is {message!r}, not a string")
    if problems:
        raise AssertionError(f"HTTP {status} without EMQX 5's error shape: " + "; ".join(problems))
    return None


@schemathesis.check
def emqx_v5_paging_meta(ctx: Any, response: Any, case: Any) -> bool | None:
    """`meta` echoes `page`/`limit` and agrees with the rows (see the module docstring)."""
    if not _is_v5(case) or response.status_code != 200 or not is_valid_request(case):
        return None
    body = json_body(response)
    if not isinstance(body, dict):
        return None
    meta, data = body.get("meta"), body.get("data")
    if not isinstance(meta, dict) or not isinstance(data, list):
        return None
    style = _fact(case, "paging") or "page"
    limit = query_int(case, "limit") or _DEFAULT_LIMIT
    if style == "position":
        problems = [f"`meta.{k}` is missing" for k in ("start", "position") if k not in meta]
        if len(data) > limit:
            problems.append(f"{len(data)} messages for a limit of {limit}")
        if problems:
            raise AssertionError("queue paging disagrees with the answer: " + "; ".join(problems))
        return None
    page = query_int(case, "page") or _DEFAULT_PAGE
    problems = []
    if meta.get("page") != page:
        problems.append(f"meta.page is {meta.get('page')!r}, the request asked for {page}")
    if meta.get("limit") != limit:
        problems.append(f"meta.limit is {meta.get('limit')!r}, the request asked for {limit}")
    if len(data) > limit:
        problems.append(f"{len(data)} rows on a page of limit {limit}")
    if style == "page":
        problems += _count_problems(meta, len(data), (page - 1) * limit, limit)
    if problems:
        raise AssertionError("paging meta disagrees with the answer: " + "; ".join(problems))
    return None


def _count_problems(meta: dict[str, Any], rows: int, offset: int, limit: int) -> list[str]:
    problems = []
    hasnext, count = meta.get("hasnext"), meta.get("count")
    if not isinstance(hasnext, bool):
        problems.append(f"meta.hasnext is {hasnext!r}, not a boolean")
    elif hasnext and rows < limit:
        problems.append(f"hasnext is true but the page holds {rows} of {limit} rows")
    if isinstance(count, int) and not isinstance(count, bool):
        if rows and count < offset + rows:
            problems.append(f"count {count} is less than the {offset + rows} rows up to this page")
        if hasnext is False and rows and count != offset + rows:
            problems.append(f"the last page ends at row {offset + rows} but count is {count}")
    return problems
