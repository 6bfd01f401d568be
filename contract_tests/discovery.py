"""Real identifiers from the target, so generated requests reach real objects.

Random node names only ever meet 404, and random client ids only the empty answer: the
schemas of node-scoped lists and of client objects would never be checked. Before a run the
runner GETs a few node names, client ids and user names from the target (reads only, the
sources are `Api.discovery`) and binds them to the path parameters through Schemathesis
dictionaries — with a probability below 1, so unknown ids are still tried and their not-found
answers still checked.

What it could not find is said, not hidden: `Discovery.summary()` is the run's first line
about it, and `guessed()` names the path parameters of an operation that ran with made-up
values only (the report marks those operations: a verdict on a made-up client id says less).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import requests

from mqtt_api_kit.registry import Api, DiscoverySource

__all__ = ["Discovery", "as_toml", "discover"]

# What a dictionary holds, for people ("found 3 node names").
KINDS = {
    "nodes": "node names",
    "node_filters": "node names for filters",  # EMQX 5's `?node=`: a real node or 500
    "clients": "client ids",
    "usernames": "user names",
    "backups": "backup ids",
    "trace_recordings": "trace recording names",
    "schemas": "schema ids",
    "scripts": "script ids",
    "policies": "policy ids",
}


def _kind(dictionary: str) -> str:
    """A dictionary's name for people; one the table does not know reads as its words."""
    return KINDS.get(dictionary, dictionary.replace("_", " "))


@dataclass(frozen=True, slots=True)
class Discovery:
    found: dict[str, tuple[DiscoverySource, list[str]]] = field(default_factory=dict)
    # dictionary name → why nothing was found there (an HTTP status, a missing key, an error)
    missing: dict[str, str] = field(default_factory=dict)
    skipped: bool = False  # --no-discovery

    def bound(self) -> set[str]:
        """Path parameter names that receive discovered values."""
        return {
            key.removeprefix("path.")
            for source, values in self.found.values()
            for key in source.parameters
            if values and key.startswith("path.")
        }

    def guessed(self, path_parameters: tuple[str, ...]) -> tuple[str, ...]:
        """The operation's path parameters that only ever got made-up values."""
        bound = self.bound()
        return tuple(p for p in path_parameters if p not in bound)

    def summary(self) -> str:
        if self.skipped:
            return "discovery off (--no-discovery): path parameters use made-up values only"
        parts = [f"{len(v)} {_kind(n)}" for n, (_, v) in self.found.items()]
        text = "discovery found " + (", ".join(parts) if parts else "nothing")
        if self.missing:
            gaps = "; ".join(f"no {_kind(n)} ({why})" for n, why in self.missing.items())
            text += f" — {gaps}: operations using them run with made-up values"
        return text


def _values(source: DiscoverySource, body: Any) -> tuple[list[Any], str]:
    rows: Any = body
    for key in source.container:
        rows = rows.get(key) if isinstance(rows, dict) else None
    if not isinstance(rows, list):
        where = ".".join(source.container) or "the body"
        return [], f"{where} is not a list"
    values = [row.get(source.key) for row in rows if isinstance(row, dict)]
    if not rows:
        return [], "the list is empty"
    if not any(isinstance(v, str) and v for v in values):
        return [], f"no row has {source.key!r}"
    return values, ""


def discover(api: Api, url: str, http: requests.Session) -> Discovery:
    """dictionary name → (its source, the distinct string values found), and why the others
    stayed empty. `http` carries the run's credentials and limits."""
    found: dict[str, tuple[DiscoverySource, list[str]]] = {}
    missing: dict[str, str] = {}
    for source in api.discovery:
        if source.dictionary in found:
            continue
        nodes = found.get("nodes", (None, []))[1]
        if "{node}" in source.path and not nodes:
            missing.setdefault(source.dictionary, f"GET {source.path} needs a node name")
            continue
        path = source.path.replace("{node}", nodes[0] if nodes else "")
        where = f"GET {path}"
        try:
            response = http.get(url.rstrip("/") + path)
        except requests.RequestException as exc:
            missing[source.dictionary] = f"{where}: {type(exc).__name__}"
            continue
        if response.status_code != 200:
            missing[source.dictionary] = f"{where} answered HTTP {response.status_code}"
            continue
        try:
            values, why = _values(source, response.json())
        except ValueError:
            missing[source.dictionary] = f"{where} did not answer JSON"
            continue
        distinct = list(dict.fromkeys(v for v in values if isinstance(v, str) and v))
        if distinct:
            found[source.dictionary] = (source, distinct)
            missing.pop(source.dictionary, None)
        else:
            missing[source.dictionary] = f"{where}: {why}"
    return Discovery(found, missing)


def as_toml(discovery: Discovery) -> str:
    """The Schemathesis config fragment binding the values (JSON strings are TOML strings)."""
    found = discovery.found
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
