"""What every API dialect the mock serves must provide.

A dialect is one broker API (EMQX v4, EMQX v2, HiveMQ), bound in its constructor to one world:
its registry entry (name, base path, document), its handlers, and its answers to what happens
before a handler runs — credentials, no such route, a route switched off, a body it cannot
read, a request its document rejects. The request pipeline (`pipeline.py`) asks these
questions in one fixed order; a dialect never wraps the app itself.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Container, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from starlette.requests import Request
from starlette.responses import Response

from mqtt_api_kit.registry import Api

Handler = Callable[..., Awaitable[Response]]

__all__ = ["BodyPolicy", "Dialect", "Handler", "operations_of", "snake"]


@dataclass(frozen=True, slots=True)
class BodyPolicy:
    """How the broker reads request bodies, applied once the route is known.

    `methods`: the requests whose body the broker reads. `any_content_type`: the broker reads
    every such body as JSON whatever its declared type (`curl -d` sends a form type), so the
    pipeline presents it to validation as JSON; otherwise only JSON types are checked here.
    `parses`: the broker's JSON parser's verdict. `not_json`: its answer when that fails.
    """

    methods: frozenset[str]
    any_content_type: bool
    parses: Callable[[bytes], bool]
    not_json: Callable[[], Response]


class Dialect(Protocol):
    # Read-only members (properties here, so a dialect may declare them as plain class or
    # instance attributes of a narrower type: `body_policy = BodyPolicy(…)`).
    @property
    def api(self) -> Api: ...

    @property
    def open_routes(self) -> Container[tuple[str, str]]:
        """(METHOD, path under the base path) the broker answers without credentials: its
        open routes, and for EMQX 5 also every request it cannot route (404/405 before
        authorization)."""
        ...

    @property
    def outside_routes(self) -> Mapping[str, Callable[[str], Response]]:
        """Exact paths outside the base path the broker serves on the same listener, without
        credentials (EMQX's `GET /status`): path → answer for a method."""
        ...

    @property
    def body_policy(self) -> BodyPolicy | None:
        """How the broker reads bodies; None: the pipeline leaves bodies to validation."""
        ...

    def handlers(self) -> Mapping[str, Handler]:
        """operationId → handler over this dialect's world."""
        ...

    def boot(self) -> None:
        """Write the broker's boot-time configuration into the world (`--auth` as EMQX's
        default app and dashboard user, or 5.x's bootstrap API key), as the broker does on
        every start: at construction, and again after each reset of the world."""
        ...

    def admits(self, authorization: bytes | None, path: str) -> bool:
        """Whether the `Authorization` header (None: absent) passes the broker's check for
        `path` (below the base path: a broker may check routes of different listeners
        differently)."""
        ...

    def unauthorized(self) -> Response:
        """The refusal of the check `admits` just failed (the pipeline asks in the same task,
        with nothing awaited in between)."""
        ...

    def route_path(self, below: str) -> str:
        """The path the broker routes for `below` (the request's path under the base path,
        "" for the base path itself): how its router splits a path into segments decides
        whether `/apps/` is `/apps` (minirest's `string:tokens/2`) or a route of its own."""
        ...

    def route_not_found(self, request: Request) -> Response:
        """The answer to a request no operation routes (no such path, or not that method)."""
        ...

    def status_answer(self, status: int) -> Response:
        """What the broker sends with `status` (a forced `Prefer: code=`, a fault): its own
        401 and unknown-route 404, its crash answer for 500, its shape for the rest."""
        ...

    def route_off(self, operation_id: str) -> Response | None:
        """The answer when the operation's route is switched off right now (an EMQX plugin
        that is stopped), else None. Asked before the body is read or validated."""
        ...

    def body_too_large(self) -> Response:
        """The answer to a body over the mock's cap (`MockConfig.max_body`)."""
        ...

    def bad_request(self, request: Request, detail: str) -> Response:
        """The dialect's answer to a request its document rejects."""
        ...


def operations_of(*groups: object) -> dict[str, Handler]:
    """Collect the public async methods of handler groups, keyed by camelCase operationId."""
    table: dict[str, Handler] = {}
    for group in groups:
        for attr in dir(group):
            if attr.startswith("_"):
                continue
            fn: Any = getattr(group, attr)
            if callable(fn):
                table[_camel(attr)] = fn
    return table


def _camel(snake_name: str) -> str:
    head, *rest = snake_name.split("_")
    return head + "".join(part.title() for part in rest)


def snake(camel: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", camel).lower()
