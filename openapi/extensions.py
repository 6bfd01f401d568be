"""Our vendor extensions: one object per vendor on an OpenAPI node, registered in EXTENSIONS.md.

What a broker does that OpenAPI cannot say is written in one object per vendor — `x-emqx` in
the EMQX documents, `x-hivemq` in HiveMQ's — with kebab-case keys inside, as large vendor
documents group theirs. `facts()` is how the mock and the suite read them. `registry()` parses
the tables of `EXTENSIONS.md` (shipped next to the documents), the one list of every object
and key, where each may appear, its type and who reads it; the document lint rejects anything
the registry does not list.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

__all__ = ["WHERE", "Key", "Registry", "Vendor", "facts", "registry"]

# The places an extension may appear, as the registry's `Where` column names them.
WHERE = ("info", "operation", "parameter")
# The registry's `Type` words and the values they admit.
_TYPES: dict[str, Any] = {
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "object": lambda v: isinstance(v, dict),
    "integer list": lambda v: (
        isinstance(v, list) and all(isinstance(i, int) and not isinstance(i, bool) for i in v)
    ),
    "string list": lambda v: isinstance(v, list) and all(isinstance(i, str) for i in v),
}
_CELL = re.compile(r"(?<!\\)\|")


@dataclass(frozen=True, slots=True)
class Vendor:
    name: str  # `x-emqx`
    documents: str  # a file name pattern (`emqx-*.yaml`)

    def covers(self, document: str) -> bool:
        return fnmatch.fnmatchcase(document, self.documents)


@dataclass(frozen=True, slots=True)
class Key:
    vendor: str  # `x-emqx`
    name: str  # `business-codes`; a member of an object key is `outside-route.path`
    where: frozenset[str]
    type: str  # a `_TYPES` word, or several joined by " or "
    values: frozenset[str]  # the admitted values of a string key; empty: any
    read_by: tuple[str, ...]  # repository paths of the modules that read it
    example: str

    def admits(self, value: object) -> bool:
        """Whether `value` has this key's type (and is one of its values, if listed)."""
        if not any(_TYPES[kind](value) for kind in self.type.split(" or ")):
            return False
        return not self.values or value in self.values


@dataclass(frozen=True, slots=True)
class Registry:
    vendors: Mapping[str, Vendor]
    keys: Mapping[tuple[str, str], Key]  # (vendor, key) → its entry

    def key(self, vendor: str, name: str) -> Key | None:
        return self.keys.get((vendor, name))


def facts(node: Mapping[str, Any], vendor: str) -> Mapping[str, Any]:
    """The vendor object (`x-emqx`, `x-hivemq`) on an OpenAPI node; empty when it has none."""
    found = node.get(vendor)
    return found if isinstance(found, dict) else {}


@cache
def registry() -> Registry:
    """The tables of EXTENSIONS.md: `Object | Documents | Meaning` and
    `Object | Key | Where | Type | Values | Meaning | Read by | Example`."""
    text = files(__package__).joinpath("EXTENSIONS.md").read_text(encoding="utf-8")
    vendors: dict[str, Vendor] = {}
    keys: dict[tuple[str, str], Key] = {}
    for row in _rows(text, ("Object", "Documents", "Meaning")):
        name = _code(row["Object"])
        vendors[name] = Vendor(name, _code(row["Documents"]))
    for row in _rows(text, ("Object", "Key", "Where", "Type", "Values", "Meaning", "Read by")):
        vendor, key, kind = _code(row["Object"]), _code(row["Key"]), row["Type"]
        where = frozenset(w.strip() for w in row["Where"].split(","))
        if (
            vendor not in vendors
            or not set(kind.split(" or ")) <= set(_TYPES)
            or not (where <= set(WHERE))
        ):
            raise ValueError(f"EXTENSIONS.md: bad entry for {vendor} {key}: {row}")
        if (vendor, key) in keys:
            raise ValueError(f"EXTENSIONS.md: {vendor} {key} is registered twice")
        keys[(vendor, key)] = Key(
            vendor,
            key,
            where,
            kind,
            frozenset(_code(v) for v in row["Values"].split(",") if v.strip()),
            tuple(re.findall(r"`([\w./-]+\.py)`", row["Read by"])),
            row["Example"],
        )
    return Registry(vendors, keys)


def _rows(text: str, header: tuple[str, ...]) -> list[dict[str, str]]:
    """The rows of every Markdown table whose header starts with `header`."""
    rows: list[dict[str, str]] = []
    columns: list[str] | None = None
    for line in text.splitlines():
        if not line.startswith("|"):
            columns = None
            continue
        cells = [c.strip().replace("\\|", "|") for c in _CELL.split(line.strip())[1:-1]]
        if columns is None:
            columns = cells if tuple(cells[: len(header)]) == header else []
        elif columns and not set("".join(cells)) <= set("-: "):
            if len(cells) != len(columns):
                raise ValueError(f"EXTENSIONS.md: {len(cells)} cells, not {len(columns)}: {line}")
            rows.append(dict(zip(columns, cells, strict=True)))
    return rows


def _code(cell: str) -> str:
    return cell.strip().strip("`")
