"""HiveMQ REST API checks the OpenAPI document cannot express.

* Every 4xx carries HiveMQ's error shape, `{"errors":[{"title","detail"}, …]}`, also for
  answers the document does not list (an unknown route, a refused credential).
* Every paged list's cursor chain is sound (the client list, and the Data Hub's schemas,
  scripts, data and behavior policies): starting from a first page, following
  `_links.next` (GET only, with the run's own credentials) visits every item exactly once.
  Duplicates within one walk fail at once; a client missing from one walk but present in a
  walk with another page size fails when a second pair of walks misses it again (so a live
  broker's client churn is not mistaken for a paging bug). A 410 mid-walk restarts the walk;
  a chain that never completes fails.

The verdict is reached once per target and run (two walks, four when they disagree) and
repeated for later first pages: the check costs a few dozen requests, not a walk per case.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import requests
import schemathesis
from schemathesis import CheckContext, Response

from ..guard import process_session
from .common import json_body, query_int

if TYPE_CHECKING:
    from schemathesis.specs.openapi.schemas import OpenApiCase

BASE_PATH = "/api/v1"


@dataclass(frozen=True)
class PagedList:
    noun: str  # what its items are, for the verdicts
    limits: tuple[int, int]  # smallest and largest page size
    default: int  # the page size without `limit`
    key: tuple[str, ...]  # the fields that name one item


PAGED = {
    "getAllMqttClients": PagedList("client", (50, 2500), 500, ("id",)),
    "getAllSchemas": PagedList("schema version", (10, 500), 50, ("id", "version")),
    "getAllScripts": PagedList("script version", (10, 500), 50, ("id", "version")),
    "getAllDataPolicies": PagedList("data policy", (10, 500), 50, ("id",)),
    "getAllBehaviorPolicies": PagedList("behavior policy", (10, 500), 50, ("id",)),
}
MAX_PAGES = 20_000  # 50 million clients at the largest page: a chain this long is a loop
ATTEMPTS = 3  # walks restarted after a 410 before the chain is judged unusable
TIMEOUT = 30.0

_walks: dict[tuple[str, int], list[Any]] = {}
_verdicts: dict[str, str | None] = {}  # list URL → failure message, None when sound


def _is_hivemq(case: OpenApiCase) -> bool:
    servers = case.operation.schema.raw_schema.get("servers") or [{}]
    url = servers[0].get("url", "")
    return isinstance(url, str) and urlsplit(url).path.rstrip("/").endswith(BASE_PATH)


@schemathesis.check
def hivemq_error_shape(ctx: CheckContext, response: Response, case: OpenApiCase) -> bool | None:
    """A 4xx answer is `{"errors":[{"title": str, "detail": str}, …]}` with at least one entry."""
    if not 400 <= response.status_code < 500 or not _is_hivemq(case):
        return None
    body = json_body(response)
    errors = body.get("errors") if isinstance(body, dict) else None
    if (
        isinstance(errors, list)
        and errors
        and all(
            isinstance(e, dict)
            and isinstance(e.get("title"), str)
            and e["title"]
            and isinstance(e.get("detail"), str)
            for e in errors
        )
    ):
        return None
    shown = response.content[:200].decode("utf-8", "replace")
    raise AssertionError(
        f"HTTP {response.status_code} without HiveMQ's error shape "
        f'{{"errors":[{{"title","detail"}}]}}: {shown!r}'
    )


class _Walker:
    """GETs along `_links.next` with the run's credentials: those of the request being checked
    when it carries them (a plain `schemathesis run --auth`), else the ones the suite's guard
    adds on the wire. Every GET is bounded by the guard's size and time limits."""

    def __init__(self, response: Response, paged: PagedList) -> None:
        request = response.request
        parts = urlsplit(request.url or "")
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.list_url = f"{self.origin}{parts.path.rstrip('/')}"
        self.paged, self.noun = paged, paged.noun
        self.headers = {
            k: v for k, v in request.headers.items() if k.lower() in ("authorization", "cookie")
        }
        self.verify = response.verify
        self.http = process_session()

    def get(self, url: str) -> requests.Response:
        try:
            return self.http.get(url, headers=self.headers, timeout=TIMEOUT, verify=self.verify)
        except requests.RequestException as exc:
            raise AssertionError(f"following the {self.noun} list to {url} failed: {exc}") from None

    def _key(self, item: Any) -> Any:
        """The item's name: its id, or (id, version) for versioned lists."""
        if not isinstance(item, dict):
            return None
        values = tuple(item.get(k) for k in self.paged.key)
        if any(not isinstance(v, (str, int)) or isinstance(v, bool) for v in values):
            return None
        return values[0] if len(values) == 1 else values

    def walk(self, limit: int) -> list[Any]:
        for _ in range(ATTEMPTS):
            ids = self._walk_once(limit)
            if ids is not None:
                return ids
        raise AssertionError(
            f"the {self.noun} list with limit={limit} could not be walked: a cursor was "
            f"'not valid anymore' (410) on each of {ATTEMPTS} attempts"
        )

    def _walk_once(self, limit: int) -> list[Any] | None:
        """The ids in walk order, or None when a cursor expired (410) on the way."""
        ids: list[Any] = []
        seen: dict[Any, int] = {}
        url, page = f"{self.list_url}?limit={limit}", 1
        while True:
            answer = self.get(url)
            if answer.status_code == 410 and page > 1:
                return None
            if answer.status_code != 200:
                raise AssertionError(
                    f"page {page} of the {self.noun} walk ({url}) got HTTP {answer.status_code}"
                )
            body = answer.json()
            items = body.get("items") if isinstance(body, dict) else None
            if not isinstance(items, list):
                raise AssertionError(f"page {page} of the {self.noun} walk has no `items` list")
            if len(items) > limit:
                raise AssertionError(
                    f"page {page} holds {len(items)} items ({self.noun}), limit is {limit}"
                )
            for item in items:
                cid = self._key(item)
                if cid is None:
                    # Without its name an item cannot be followed across pages (nor told apart).
                    raise AssertionError(f"page {page} lists a {self.noun} without its name")
                if cid in seen:
                    raise AssertionError(
                        f"{self.noun} {cid!r} is listed twice while walking _links.next with "
                        f"limit={limit}: on page {seen[cid]} and again on page {page}"
                    )
                seen[cid] = page
                ids.append(cid)
            nxt = (body.get("_links") or {}).get("next")
            if nxt is None:
                return ids
            if not isinstance(nxt, str) or not nxt.startswith("/") or nxt.startswith("//"):
                raise AssertionError(f"_links.next is not a relative URL: {nxt!r}")
            page += 1
            if page > MAX_PAGES:
                raise AssertionError(f"_links.next never ends (more than {MAX_PAGES} pages)")
            url = self.origin + nxt


def _other_limit(paged: PagedList, limit: int) -> int:
    low, high = paged.limits
    return high if limit <= low else low


@schemathesis.check
def hivemq_cursor_walk(ctx: CheckContext, response: Response, case: OpenApiCase) -> bool | None:
    """Walking `_links.next` lists each item exactly once, whatever the page size."""
    if response.status_code != 200 or not _is_hivemq(case):
        return None
    paged = PAGED.get(case.operation.definition.raw.get("operationId"))
    if paged is None:
        return None
    if (case.query or {}).get("cursor") is not None:
        return None
    limit = query_int(case, "limit") or paged.default
    walker = _Walker(response, paged)
    if walker.list_url not in _verdicts:
        try:
            _judge(walker, limit)
            _verdicts[walker.list_url] = None
        except AssertionError as exc:
            _verdicts[walker.list_url] = str(exc)
    verdict = _verdicts[walker.list_url]
    if verdict is not None:
        raise AssertionError(verdict)
    return None


def _judge(walker: _Walker, limit: int) -> None:
    other = _other_limit(walker.paged, limit)
    first, second = _walk(walker, limit), _walk(walker, other)
    differ = set(first) ^ set(second)
    if not differ:
        return
    # Clients come and go on a live broker: only a difference that repeats is a fault.
    del _walks[(walker.list_url, limit)], _walks[(walker.list_url, other)]
    again = set(_walk(walker, limit)) ^ set(_walk(walker, other))
    lasting = sorted(differ & again, key=str)
    if lasting:
        in_first = set(first)
        side = {limit: [c for c in lasting if c not in in_first]}
        side[other] = [c for c in lasting if c in in_first]
        where = "; ".join(f"missing with limit={n}: {ids[:5]}" for n, ids in side.items() if ids)
        raise AssertionError(
            f"walking the {walker.noun} list with limit={limit} and with limit={other} gives "
            f"different {walker.noun}s, twice ({len(lasting)} differ); {where}"
        )


def _walk(walker: _Walker, limit: int) -> list[Any]:
    key = (walker.list_url, limit)
    if key not in _walks:
        _walks[key] = walker.walk(limit)
    return _walks[key]
