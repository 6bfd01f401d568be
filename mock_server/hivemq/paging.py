"""HiveMQ's cursor paging, one implementation for every paged list (MQTT clients, Data Hub
schemas, scripts, data and behavior policies).

The lists page alike (HiveMQ's reference, `limit`/`cursor`/`_links.next`): the first page
without a cursor; each page but the last names the next in `_links.next`, a relative URL that
repeats `limit` and the list's other parameters; a cursor not issued for this list and these
filters is 400, one no longer valid 410 (`cursor.py`). A walk pages through the list as it
stood on its first page (`Cursors.begin`), so writes between pages never break it. A list's
path and default page size come from its operation in the document, as do the `limit` ranges
`errors.py` enforces.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

from starlette.responses import Response

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.openapi.operations import operation
from mqtt_api_kit.registry import HIVEMQ

from ..http import json_response
from . import errors
from .cursor import (
    BEHAVIOR_POLICIES,
    CLIENTS,
    DATA_POLICIES,
    SCHEMAS,
    SCRIPTS,
    Cursors,
    ExpiredCursor,
    InvalidCursor,
    Walk,
)

__all__ = [
    "BEHAVIOR_POLICY_LIST",
    "CLIENT_LIST",
    "DATA_POLICY_LIST",
    "SCHEMA_LIST",
    "SCRIPT_LIST",
    "CursorList",
    "Page",
    "walk_era",
]


def walk_era(world: World) -> Hashable:
    """What a walk's cursors depend on: the cluster's topology and the world's epoch (resets
    and restores), not its revision (`cursor.py`)."""
    return world.archive.epoch, tuple(world.cluster.running_names())


T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    rows: Sequence[T]
    next: str | None  # the relative URL of the next page, None on the last one

    def answer(self, render: Callable[[T], object]) -> Response:
        body: dict[str, Any] = {"items": [render(row) for row in self.rows]}
        if self.next is not None:
            body["_links"] = {"next": self.next}
        return json_response(body)


@dataclass(frozen=True, slots=True)
class CursorList:
    kind: int  # which list a cursor belongs to (`cursor.CLIENTS`, `cursor.SCHEMAS`)
    path: str  # from the root, as the next link gives it
    default_limit: int

    @classmethod
    def of(cls, operation_id: str, kind: int) -> CursorList:
        op = operation(HIVEMQ.document, operation_id)
        limit = op.parameter("limit")
        if limit is None:
            raise KeyError(f"{operation_id} declares no `limit`")
        return cls(kind, HIVEMQ.base_path + op.path, int(limit["schema"]["default"]))

    def page(
        self,
        cursors: Cursors,
        era: Hashable,
        rows: Callable[[], Sequence[T]],
        limit: int,
        cursor: str | None,
        filters: Mapping[str, str | None] | None = None,
        shown: Mapping[str, str | None] | None = None,
        present: Callable[[T], bool] | None = None,
    ) -> Page[T] | Response:
        """The page `cursor` points at (the first without one), or the error answer.

        `filters` select the rows: a cursor is bound to them. `shown` only shape each row;
        both are repeated in the next link (`shown` first), absent ones (None) left out.
        `rows` is called only for a first page; later pages come from the walk's snapshot,
        less the rows `present` says are gone since (HiveMQ may or may not list a client that
        left during a walk: the mock keeps clients, and drops deleted schemas).
        """
        chosen = {k: v for k, v in (filters or {}).items() if v is not None}
        digest = urlencode(chosen)
        offset = 0
        walk: Walk | None = None
        if cursor is not None:
            try:
                walk, offset = cursors.resolve(cursor, era, self.kind, digest)
            except InvalidCursor:
                return errors.invalid_cursor()
            except ExpiredCursor:
                return errors.cursor_expired()
        every: Sequence[T] = walk.items if walk is not None else rows()
        link = None
        page = every[offset : offset + limit]
        if walk is not None and present is not None:
            page = [row for row in page if present(row)]
        if offset + limit < len(every):
            walk = walk or cursors.begin(every, era)
            token = cursors.issue(walk, offset + limit, self.kind, digest)
            query: dict[str, object] = {"cursor": token, "limit": limit}
            query.update((k, v) for k, v in (shown or {}).items() if v is not None)
            query.update(chosen)
            link = f"{self.path}?{urlencode(query)}"
        return Page(page, link)


CLIENT_LIST = CursorList.of("getAllMqttClients", CLIENTS)
SCHEMA_LIST = CursorList.of("getAllSchemas", SCHEMAS)
SCRIPT_LIST = CursorList.of("getAllScripts", SCRIPTS)
DATA_POLICY_LIST = CursorList.of("getAllDataPolicies", DATA_POLICIES)
BEHAVIOR_POLICY_LIST = CursorList.of("getAllBehaviorPolicies", BEHAVIOR_POLICIES)
