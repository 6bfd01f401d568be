"""HiveMQ's cursor paging, one implementation for every paged list (MQTT clients, Data Hub
schemas).

Both lists page alike (HiveMQ's reference, `limit`/`cursor`/`_links.next`): the first page
without a cursor; each page but the last names the next in `_links.next`, a relative URL that
repeats `limit` and the list's other parameters; a cursor not issued for this list and these
filters is 400, one no longer valid 410 (`cursor.py`). A list's path and default page size come
from its operation in the document, as do the `limit` ranges `errors.py` enforces.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

from starlette.responses import Response

from mqtt_api_kit.openapi.operations import operation
from mqtt_api_kit.registry import HIVEMQ

from ..http import json_response
from . import errors
from .cursor import CLIENTS, SCHEMAS, Cursors, ExpiredCursor, InvalidCursor

__all__ = ["CLIENT_LIST", "SCHEMA_LIST", "CursorList", "Page"]

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
        revision: int,
        rows: Callable[[], Sequence[T]],
        limit: int,
        cursor: str | None,
        filters: Mapping[str, str | None] | None = None,
        shown: Mapping[str, str | None] | None = None,
    ) -> Page[T] | Response:
        """The page `cursor` points at (the first without one), or the error answer.

        `filters` select the rows: a cursor is bound to them. `shown` only shape each row;
        both are repeated in the next link (`shown` first), absent ones (None) left out.
        `rows` is called only once the cursor is accepted.
        """
        chosen = {k: v for k, v in (filters or {}).items() if v is not None}
        digest = urlencode(chosen)
        offset = 0
        if cursor is not None:
            try:
                offset = cursors.resolve(cursor, revision, self.kind, digest)
            except InvalidCursor:
                return errors.invalid_cursor()
            except ExpiredCursor:
                return errors.cursor_expired()
        every = rows()
        link = None
        if offset + limit < len(every):
            token = cursors.issue(revision, offset + limit, self.kind, digest)
            query: dict[str, object] = {"cursor": token, "limit": limit}
            query.update((k, v) for k, v in (shown or {}).items() if v is not None)
            query.update(chosen)
            link = f"{self.path}?{urlencode(query)}"
        return Page(every[offset : offset + limit], link)


CLIENT_LIST = CursorList.of("getAllMqttClients", CLIENTS)
SCHEMA_LIST = CursorList.of("getAllSchemas", SCHEMAS)
