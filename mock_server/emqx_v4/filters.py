"""The client-list filters of EMQX 4.4, read from the document once, at import.

The broker's table is `?CLIENT_QS_SCHEMA` (emqx_mgmt_api_clients.erl): each filter is a query
parameter with a type word. `emqx_mgmt_api:qs/2` gives a name its meaning by its prefix —
`_like_X` is a substring of X, `_gte_X`/`_lte_X` an inclusive bound on X, any other name an
exact match — and `emqx_mgmt_api:to_type/2` converts the value by the type word: `integer`,
`timestamp` (Unix seconds, ×1000 against millisecond times), `ip` (dotted integers), `atom`,
`binary`. A value that does not convert is the 108 `Can't convert <<"…">> to <word> type`
(`emqx_mgmt_api_clients:fence/1`, 4.3.3+).

The document states the same table: every query parameter of `listClients` but the paging
ones is a filter, and its type word is its schema's (`integer`; `string` is `binary`) unless
`x-emqx.filter-type` names one a schema cannot say (`timestamp`, `ip`, `atom`). What stays in
code is how a field is read off a `Client` (`columns.READERS`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from mqtt_api_kit.fixtures import Client
from mqtt_api_kit.fixtures.columns import READERS, Condition, ip_parts
from mqtt_api_kit.openapi.extensions import facts
from mqtt_api_kit.openapi.operations import operation
from mqtt_api_kit.registry import EMQX_V4

__all__ = [
    "FILTERS",
    "FILTER_PARAMS",
    "TYPE_WORDS",
    "Filter",
    "client_conditions",
    "client_predicates",
    "converts",
    "filters_of",
]

Predicate = Callable[[Client], bool]

# Read by emqx_mgmt_api:page/1 and limit/1, never by the query-string schema.
PAGING = frozenset({"_page", "_limit"})
# The schema type each type word is carried in (to_type/2 reads a binary in every case).
_SCHEMA_TYPE = {
    "binary": "string",
    "atom": "string",
    "ip": "string",
    "integer": "integer",
    "timestamp": "integer",
}
# Field of the `emqx_channel_info` row → how it is read off a `Client`: `columns.READERS`
# (the type word says what the value is: an int for integer and timestamp fields, text
# otherwise).
_OPERATORS = (("_like_", "like"), ("_gte_", ">="), ("_lte_", "=<"))


@dataclass(frozen=True, slots=True)
class Filter:
    param: str  # the query parameter (`_gte_created_at`)
    field: str  # the field it reads (`created_at`)
    op: str  # "=:=", "like", ">=", "=<" (qs/2's operators)
    type: str  # to_type/2's word: binary, atom, ip, integer, timestamp


def filters_of(parameters: Iterable[Mapping[str, Any]]) -> tuple[Filter, ...]:
    """The filters an operation's (resolved) parameters declare, with their type words."""
    found: list[Filter] = []
    for param in parameters:
        name = param["name"]
        if param["in"] != "query" or name in PAGING:
            continue
        schema_type = param.get("schema", {}).get("type")
        word = facts(param, "x-emqx").get("filter-type") or (
            "integer" if schema_type == "integer" else "binary"
        )
        if _SCHEMA_TYPE.get(word) != schema_type:
            raise ValueError(f"{name}: filter-type {word} in a {schema_type} schema")
        prefix, op = next(((p, o) for p, o in _OPERATORS if name.startswith(p)), ("", "=:="))
        field = name.removeprefix(prefix)
        if field not in READERS:
            raise ValueError(f"{name}: no way to read {field!r} off a Client")
        found.append(Filter(name, field, op, word))
    return tuple(found)


FILTERS = filters_of(operation(EMQX_V4.document, "listClients").parameters)
FILTER_PARAMS = frozenset(f.param for f in FILTERS)
# The word of 108's `Can't convert <<"abc">> to <word> type`, by parameter.
TYPE_WORDS: Mapping[str, str] = {f.param: f.type for f in FILTERS}


def converts(word: str, text: str) -> bool:
    """Whether `to_type/2` converts `text` (as the broker receives it, a binary)."""
    if word == "ip":  # aton/1: binary_to_integer/1 on every dot-separated part
        return all(_is_int(part) for part in text.split("."))
    if word in ("integer", "timestamp"):  # binary_to_integer/1
        return _is_int(text)
    # binary_to_atom/2 fails past 255 characters; the mock's world holds no such atoms and
    # accepts any text (a known difference, kept until it is reproduced against a broker).
    return True


def client_conditions(params: Mapping[str, Any]) -> list[Condition]:
    """One structured condition per recognised filter present in `params` (already typed by
    the document: integers are ints), for `Sessions.query`: columns answer it for the
    generated sessions, `Condition.holds` for the others (fixtures/columns.py)."""
    return [_condition(f, params[f.param]) for f in FILTERS if f.param in params]


def client_predicates(params: Mapping[str, Any]) -> list[Predicate]:
    """The same conditions as predicates on one `Client`."""
    return [cond.holds for cond in client_conditions(params)]


def _condition(f: Filter, raw: object) -> Condition:
    if f.op == "like":  # a substring, case-sensitive; an absent username is ""
        return Condition(f.field, "like", str(raw))
    if f.type == "ip":
        return Condition(f.field, "=:=", ip_parts(str(raw)))
    return Condition(f.field, f.op, _typed(f.type, raw))


def _typed(word: str, raw: object) -> object:
    if word == "timestamp":  # to_timestamp/1: seconds in, milliseconds compared
        return int(str(raw)) * 1000
    if word == "integer":
        return int(str(raw))
    return raw


def _is_int(text: str) -> bool:
    try:
        int(text, 10)
    except ValueError:
        return False
    return True
