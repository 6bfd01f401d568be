"""The operations of a parsed document, and their parameters with references resolved.

Readers that derive facts from a document (plugin gating, EMQX's client filters, HiveMQ's
`limit` ranges, the lint) walk it through here instead of each walking `paths` its own way.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from . import document

__all__ = ["METHODS", "Operation", "operation", "operations", "resolve"]

# The HTTP methods a Path Item may hold (OpenAPI 3.0 §4.7.9).
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(frozen=True, slots=True)
class Operation:
    method: str  # lower case, as in the document
    path: str  # relative to the server URL (the API's base path)
    definition: Mapping[str, Any]  # the Operation Object, shared: never change it
    parameters: tuple[Mapping[str, Any], ...]  # path item's and operation's, refs resolved

    @property
    def operation_id(self) -> str:
        return str(self.definition["operationId"])

    def parameter(self, name: str, where: str = "query") -> Mapping[str, Any] | None:
        """The Parameter Object called `name` in `where` (query, path, header, cookie)."""
        return next((p for p in self.parameters if p["name"] == name and p["in"] == where), None)


def resolve(doc: Mapping[str, Any], node: Mapping[str, Any]) -> Mapping[str, Any]:
    """`node` itself, or the local component its `$ref` names (`#/components/…`)."""
    while "$ref" in node:
        target: Any = doc
        for part in str(node["$ref"]).removeprefix("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def operations(name: str) -> Iterator[Operation]:
    """Every operation of the document `name`, in document order."""
    doc = document(name)
    for path, item in doc.get("paths", {}).items():
        shared = [resolve(doc, p) for p in item.get("parameters", ())]
        for method in METHODS:
            definition = item.get(method)
            if not isinstance(definition, dict):
                continue
            own = [resolve(doc, p) for p in definition.get("parameters", ())]
            # An operation's parameter overrides the path item's of the same name and place.
            keys = {(p["name"], p["in"]) for p in own}
            merged = [p for p in shared if (p["name"], p["in"]) not in keys] + own
            yield Operation(method, path, definition, tuple(merged))


def operation(name: str, operation_id: str) -> Operation:
    """The operation `operation_id` of the document `name`; KeyError when there is none."""
    for op in operations(name):
        if op.definition.get("operationId") == operation_id:
            return op
    raise KeyError(f"{name} has no operation {operation_id!r}")
