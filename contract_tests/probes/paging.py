"""Paging that really pages, on the target's own data.

* EMQX 4.x (`_page`/`_limit`) and EMQ 2.3 (`curr_page`/`page_size`): when page 1 of size 2
  says there is more (`meta.hasnext`, `meta.count`, `result.total_num`), page 2 must not be
  page 1 again — a broker that ignores the page parameter but echoes it passes every schema
  and `meta` check. Churn: rows may shift between the two requests, so identical pages are
  asked for once more, and only identical pages twice are a finding.
* HiveMQ (`limit`): an answer holds at most `limit` items, asked with the smallest `limit`
  the document allows (50 clients, 10 schemas).
"""

from __future__ import annotations

import json
from typing import Any

from ..selection import Operation
from . import ProbeContext, ProbeReport, failure_from, get, json_of

RULE = "paging_semantics"
SIZE = 2


def _query_names(op: Operation) -> set[str]:
    return set(op.query_parameters())


def _v4_page(body: Any) -> tuple[list[Any], bool] | None:
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        return None
    found = body.get("meta")
    meta: dict[str, Any] = found if isinstance(found, dict) else {}
    count = meta.get("count")
    more = meta.get("hasnext") is True or (
        isinstance(count, int) and not isinstance(count, bool) and count > SIZE
    )
    return body["data"], more


def _v2_page(body: Any) -> tuple[list[Any], bool] | None:
    result = body.get("result") if isinstance(body, dict) else None
    if not isinstance(result, dict) or not isinstance(result.get("objects"), list):
        return None
    total = result.get("total_num")
    return result["objects"], isinstance(total, int) and total > SIZE


STYLES = {"emqx-v4": ("_page", "_limit", _v4_page), "emqx-v2": ("curr_page", "page_size", _v2_page)}


def _key(rows: list[Any]) -> str:
    return json.dumps(rows, sort_keys=True)


def _pages_differ(ctx: ProbeContext, report: ProbeReport, op: Operation) -> None:
    page_name, size_name, read = STYLES[ctx.api.name]
    urls = [ctx.target(op, {page_name: n, size_name: SIZE}) for n in (1, 2)]
    for attempt in (1, 2):
        if ctx.out_of_time():
            return
        first = get(ctx, report, urls[0])
        page1 = read(json_of(first))
        if page1 is None or not page1[1]:
            return  # nothing to page through (or not a paged answer: conformance judges that)
        second = get(ctx, report, urls[1])
        page2 = read(json_of(second))
        if page2 is None or not page1[0] or _key(page1[0]) != _key(page2[0]):
            return
        if attempt == 2:
            report.fail(
                op,
                failure_from(
                    RULE,
                    f"`{page_name}` ignored",
                    f"{page_name}=2 answers the same {len(page1[0])} rows as {page_name}=1 "
                    f"({size_name}={SIZE}), twice, although page 1 says there are more",
                    second,
                    urls[1],
                ),
            )


def _hivemq_limit(ctx: ProbeContext, report: ProbeReport, op: Operation) -> None:
    limit = (op.query_parameters()["limit"].get("schema") or {}).get("minimum")
    if not isinstance(limit, int) or ctx.out_of_time():
        return
    url = ctx.target(op, {"limit": limit})
    response = get(ctx, report, url)
    body = json_of(response)
    items = body.get("items") if isinstance(body, dict) else None
    if isinstance(items, list) and len(items) > limit:
        report.fail(
            op,
            failure_from(
                RULE,
                "`limit` ignored",
                f"limit={limit} answered {len(items)} items",
                response,
                url,
            ),
        )


def probe(ctx: ProbeContext, report: ProbeReport) -> None:
    judged = 0
    for op in ctx.operations:
        if ctx.out_of_time():
            break
        names = _query_names(op)
        if ctx.discovery.guessed(op.path_parameters):
            continue
        if ctx.api.name in STYLES and set(STYLES[ctx.api.name][:2]) <= names:
            _pages_differ(ctx, report, op)
            judged += 1
        elif ctx.api.name == "hivemq" and "limit" in names:
            _hivemq_limit(ctx, report, op)
            judged += 1
    report.notes.append(f"paging probes: {judged} list operations")
