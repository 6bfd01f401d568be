"""Real identifiers from the target, so generated requests reach real objects.

Random node names only ever meet 404, and random client ids only the empty answer: the
schemas of node-scoped lists and of client objects would never be checked. Before a run the
runner GETs a few node names, client ids and user names from the target (reads only) and
binds them to the path parameters through Schemathesis dictionaries — with a probability
below 1, so unknown ids are still tried and their not-found answers still checked.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

Extract = Callable[[Any], list[Any]]


def _field(container: str, key: str, inner: str | None = None) -> Extract:
    def extract(body: Any) -> list[Any]:
        rows = body.get(container) if isinstance(body, dict) else None
        if inner is not None and isinstance(rows, dict):
            rows = rows.get(inner)
        return [row.get(key) for row in rows or () if isinstance(row, dict)]

    return extract


@dataclass(frozen=True, slots=True)
class Source:
    path: str  # GET, relative to the base; `{node}` is the first node found before it
    extract: Extract
    dictionary: str
    parameters: tuple[str, ...]  # Schemathesis parameter keys the values feed
    probability: float


SOURCES: dict[str, tuple[Source, ...]] = {
    "emqx-v4": (
        Source("/nodes", _field("data", "node"), "nodes", ("path.node",), 0.9),
        Source(
            "/clients?_limit=25", _field("data", "clientid"), "clients", ("path.clientid",), 0.6
        ),
        Source(
            "/clients?_limit=25", _field("data", "username"), "usernames", ("path.username",), 0.6
        ),
    ),
    "emqx-v2": (
        Source("/management/nodes", _field("result", "name"), "nodes", ("path.node",), 0.9),
        Source(
            "/nodes/{node}/clients?page_size=25",
            _field("result", "client_id", "objects"),
            "clients",
            ("path.clientid",),
            0.6,
        ),
    ),
    "hivemq": (
        Source("/mqtt/clients?limit=50", _field("items", "id"), "clients", ("path.clientId",), 0.6),
    ),
}


def discover(
    api: str, url: str, auth: tuple[str, str] | None, timeout: float = 10
) -> dict[str, tuple[Source, list[str]]]:
    """dictionary name → (its source, the distinct string values found); failures are skipped."""
    found: dict[str, tuple[Source, list[str]]] = {}
    with httpx.Client(auth=auth, timeout=timeout) as http:
        for source in SOURCES.get(api, ()):
            nodes = found.get("nodes", (None, []))[1]
            if "{node}" in source.path and not nodes:
                continue
            path = source.path.replace("{node}", nodes[0] if nodes else "")
            try:
                response = http.get(url.rstrip("/") + path)
                values = source.extract(response.json()) if response.status_code == 200 else []
            except (httpx.HTTPError, ValueError):
                continue
            distinct = list(dict.fromkeys(v for v in values if isinstance(v, str) and v))
            if distinct:
                found[source.dictionary] = (source, distinct)
    return found


def as_toml(found: dict[str, tuple[Source, list[str]]]) -> str:
    """The Schemathesis config fragment binding the values (JSON strings are TOML strings)."""
    lines = []
    for name, (_, values) in found.items():
        lines += [f"\n[dictionaries.{name}]", f"values = {json.dumps(values)}"]
    bindings = [
        f'"{key}" = {{ dictionary = "{name}", probability = {source.probability} }}'
        for name, (source, _) in found.items()
        for key in source.parameters
    ]
    if bindings:
        lines += ["\n[parameters]", *bindings]
    return "\n".join(lines) + "\n"
