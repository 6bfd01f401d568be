"""Real identifiers from the target, so generated requests reach real objects.

Random node names only ever meet 404, and random client ids only the empty answer: the
schemas of node-scoped lists and of client objects would never be checked. Before a run the
runner GETs a few node names, client ids and user names from the target (reads only) and
binds them to the path parameters through Schemathesis dictionaries — with a probability
below 1, so unknown ids are still tried and their not-found answers still checked.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from mqtt_api_kit.registry import Api, DiscoverySource

__all__ = ["as_toml", "discover"]

Found = dict[str, tuple[DiscoverySource, list[str]]]


def _values(source: DiscoverySource, body: Any) -> list[Any]:
    rows: Any = body
    for key in source.container:
        rows = rows.get(key) if isinstance(rows, dict) else None
    return [row.get(source.key) for row in rows or () if isinstance(row, dict)]


def discover(api: Api, url: str, auth: tuple[str, str] | None, timeout: float = 10) -> Found:
    """dictionary name → (its source, the distinct string values found); failures are skipped."""
    found: Found = {}
    with httpx.Client(auth=auth, timeout=timeout) as http:
        for source in api.discovery:
            nodes = found.get("nodes", (None, []))[1]
            if "{node}" in source.path and not nodes:
                continue
            path = source.path.replace("{node}", nodes[0] if nodes else "")
            try:
                response = http.get(url.rstrip("/") + path)
                values = _values(source, response.json()) if response.status_code == 200 else []
            except (httpx.HTTPError, ValueError):
                continue
            distinct = list(dict.fromkeys(v for v in values if isinstance(v, str) and v))
            if distinct:
                found[source.dictionary] = (source, distinct)
    return found


def as_toml(found: Found) -> str:
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
