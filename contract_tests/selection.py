"""Which operations a run tests, decided here and handed to Schemathesis as one exact list.

Schemathesis ORs its filters: `--include-method GET` together with `--include-name-regex X`
selects every GET operation, whatever X says. So the runner never combines its filters there:
it reads the operations from our document, applies the user's choice in one place, and passes
the result as a single anchored regex of exact names. The rules:

* `--include REGEX` (repeatable) — an operation is kept when any of them matches its
  `METHOD /path` (searched, as Schemathesis does); with none, every operation is a candidate.
  `--include-operation-id ID` adds operations by id the same way.
* `--exclude REGEX` / `--exclude-operation-id ID` — removes operations (exclusion wins).
* read-only runs (the default) select no write operation at all: they are not run, not
  "blocked" at send time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from mqtt_api_kit.openapi.operations import operations as document_operations
from mqtt_api_kit.registry import Api

__all__ = ["Operation", "SelectionError", "name_regex", "operations", "select"]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class SelectionError(ValueError):
    """The user's filters are unusable (a bad regex) or select nothing."""


@dataclass(frozen=True, slots=True)
class Operation:
    method: str  # upper case
    path: str  # as the document spells it, relative to the base path
    operation_id: str
    path_parameters: tuple[str, ...]
    definition: Any  # the operation object of the document (read-only)
    parameters: tuple[Any, ...] = ()  # its parameters and its path's, `$ref`s resolved

    def query_parameters(self) -> dict[str, Any]:
        return {p["name"]: p for p in self.parameters if p.get("in") == "query"}

    @property
    def label(self) -> str:
        """Schemathesis' name for it, and ours: `GET /clients/{clientid}`."""
        return f"{self.method} {self.path}"

    @property
    def is_write(self) -> bool:
        return self.method not in SAFE_METHODS


def operations(api: Api) -> list[Operation]:
    """Every operation of the API's document, in document order (`openapi.operations`)."""
    return [
        Operation(
            op.method.upper(),
            op.path,
            str(op.definition.get("operationId", "")),
            tuple(str(p["name"]) for p in op.parameters if p.get("in") == "path"),
            op.definition,
            op.parameters,
        )
        for op in document_operations(api.document)
    ]


def _compile(patterns: Iterable[str], flag: str) -> list[re.Pattern[str]]:
    compiled = []
    for pattern in patterns:
        try:
            compiled.append(re.compile(pattern))
        except re.error as exc:
            raise SelectionError(f"{flag} {pattern!r} is not a regular expression: {exc}") from None
    return compiled


def select(
    api: Api,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    include_ids: Sequence[str] = (),
    exclude_ids: Sequence[str] = (),
    allow_writes: bool = False,
) -> list[Operation]:
    wanted = _compile(include, "--include")
    unwanted = _compile(exclude, "--exclude")
    chosen = []
    for op in operations(api):
        if op.is_write and not allow_writes:
            continue
        if wanted or include_ids:
            if not (any(r.search(op.label) for r in wanted) or op.operation_id in include_ids):
                continue
        if any(r.search(op.label) for r in unwanted) or op.operation_id in exclude_ids:
            continue
        chosen.append(op)
    if not chosen:
        mode = "" if allow_writes else " (read-only: GET operations only)"
        raise SelectionError(f"the filters select no operation of the {api.title} API{mode}")
    return chosen


def name_regex(chosen: Iterable[Operation]) -> str:
    """One regex matching exactly these operations' names, for `--include-name-regex`."""
    return "^(?:" + "|".join(re.escape(op.label) for op in chosen) + ")$"
