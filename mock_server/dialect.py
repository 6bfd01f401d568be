"""What every API dialect the mock serves must provide.

A dialect is one broker API (EMQX v4, EMQX v2, HiveMQ): its OpenAPI document, its base path,
its handlers over the shared world, and how it answers the failures that happen before a
handler runs (bad credentials, no such route, a request the document rejects).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from starlette.requests import Request
from starlette.responses import Response

from fixtures import World

SPEC_DIR = Path(__file__).resolve().parent.parent / "openapi"


class Dialect(Protocol):
    name: str
    base_path: str
    spec_file: Path

    def handlers(self, world: World) -> dict[str, Callable[..., Any]]:
        """operationId → handler, each bound to `world`."""

    def unauthorized(self) -> Response: ...

    def route_not_found(self) -> Response: ...

    def bad_request(self, request: Request, detail: str) -> Response:
        """The dialect's answer to a request its document rejects."""


def operations_of(*groups: object) -> dict[str, Callable[..., Any]]:
    """Collect the public async methods of handler groups, keyed by camelCase operationId."""
    table: dict[str, Callable[..., Any]] = {}
    for group in groups:
        for attr in dir(group):
            if attr.startswith("_"):
                continue
            fn = getattr(group, attr)
            if callable(fn):
                table[_camel(attr)] = fn
    return table


def _camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(part.title() for part in rest)


def snake(camel: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", camel).lower()
