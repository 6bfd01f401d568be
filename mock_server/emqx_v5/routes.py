"""The route table of `/api/v5`, from our document: what EMQX 5 answers before authorization.

EMQX 5's dispatcher (cowboy routes from every API module, then `emqx_dashboard_not_found`)
answers a path no module serves with 404, and minirest (`minirest_handler:handle/2`) answers a
known path with a method it does not serve with 405 — both before the route's authorization
runs. So, unlike 4.x, a request the broker cannot route gets no 401. `OpenRoutes` is the set
of requests the pipeline lets through without credentials: those, and the operations that
declare `security: []` (`POST /login`, `GET /status`, the Prometheus scrapes…).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from mqtt_api_kit.openapi import document

__all__ = ["OpenRoutes", "RouteTable", "route_table"]

_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


@dataclass(frozen=True, slots=True)
class _Route:
    template: str
    pattern: re.Pattern[str]
    methods: tuple[str, ...]  # upper case, in document order
    open_methods: frozenset[str]  # those declared with `security: []`


class RouteTable:
    def __init__(self, paths: Mapping[str, Any], default_security: Any) -> None:
        routes = []
        for template, item in paths.items():
            methods = [m for m in _METHODS if isinstance(item.get(m), dict)]
            open_methods = {
                m.upper() for m in methods if item[m].get("security", default_security) == []
            }
            routes.append(
                _Route(
                    template,
                    re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"),
                    tuple(m.upper() for m in methods),
                    frozenset(open_methods),
                )
            )
        self.routes = tuple(routes)

    def methods(self, path: str) -> tuple[str, ...] | None:
        """The methods served at `path` (under the base path); None: no route has it."""
        found: list[str] = []
        matched = False
        for route in self.routes:
            if route.pattern.match(path):
                matched = True
                found += [m for m in route.methods if m not in found]
        return tuple(found) if matched else None

    def is_open(self, method: str, path: str) -> bool:
        return any(r.pattern.match(path) and method in r.open_methods for r in self.routes)


@cache
def route_table(name: str) -> RouteTable:
    doc = document(name)
    return RouteTable(doc.get("paths", {}), doc.get("security"))


class OpenRoutes:
    """(METHOD, path) pairs EMQX 5 answers without asking for credentials. `closed(path)`:
    whether an operation declared open asks for them right now (the Prometheus scrapes do
    while `prometheus.enable_basic_auth` is true, emqx_prometheus_api:security/0)."""

    def __init__(self, table: RouteTable, closed: Callable[[str], bool] = lambda path: False):
        self.table, self.closed = table, closed

    def __contains__(self, item: object) -> bool:
        if not isinstance(item, tuple) or len(item) != 2:
            return False
        method, path = item
        if not isinstance(method, str) or not isinstance(path, str):
            return False
        methods = self.table.methods(path)
        if methods is None or method not in methods:
            return True
        return self.table.is_open(method, path) and not self.closed(path)
