"""Erlang terms as EMQX 4.4 prints them into messages (`io_lib:format("~0p", [Term])`).

Several plugin handlers put a printed term in an answer: minirest's `return({error, Term})`
(`minirest.erl` 0.3.12, `format_msg/1`), `POST /acl`'s `{add, Map}`, the auth batch outcomes
(`"{error,existed}"`), the rule engine's `Bad Arguments: …`. The request body reaches a handler
as minirest's jiffy decoding made it (`minirest_handler:from_ejson/1`): an object is a
proplist of `{<<"key">>, Value}` (`{}` is `[{}]`), a string a binary, `null` the atom `null`.

Python values stand for terms: `Atom`, `Tuple`, `ErlMap` (keys printed in term order: the
atoms here sort by name, as OTP 24 prints small maps), `str` a binary, `list` a list, `dict`
a JSON object as the handler saw it, `None` the atom `null`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_PLAIN_ATOM = re.compile(r"[a-z][a-zA-Z0-9_@]*\Z")
_RESERVED = frozenset(
    "after and andalso band begin bnot bor bsl bsr bxor case catch cond div end fun if let "
    "maybe not of or orelse receive rem try when xor".split()
)
_ESCAPES = {0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t", 0x0B: "\\v", 0x08: "\\b", 0x0C: "\\f"}
_ESCAPES.update({0x1B: "\\e", 0x22: '\\"', 0x5C: "\\\\"})


@dataclass(frozen=True, slots=True)
class Atom:
    name: str


@dataclass(frozen=True, slots=True)
class Tuple:
    items: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class ErlMap:
    items: tuple[tuple[Atom, Any], ...]


UNDEFINED = Atom("undefined")


def _printable(code: int) -> bool:
    """`io_lib:printable_latin1_list/1`, one character."""
    return 32 <= code <= 126 or 160 <= code <= 255 or code in _ESCAPES


def _string(codes: bytes | list[int], quote: str) -> str:
    out = []
    for code in codes:
        escaped = _ESCAPES.get(code)
        out.append(
            escaped if escaped and chr(code) != ("'" if quote == '"' else '"') else chr(code)
        )
    return quote + "".join(out) + quote


def atom(name: str) -> str:
    if _PLAIN_ATOM.match(name) and name not in _RESERVED:
        return name
    return "'" + name.replace("\\", "\\\\").replace("'", "\\'") + "'"


def binary(text: str) -> str:
    data = text.encode()
    if not data:
        return "<<>>"
    if all(_printable(b) for b in data):
        # chars 160-255 go out as themselves, so UTF-8 bytes pass through unchanged
        return "<<" + _string(data, '"').encode("latin-1").decode("utf-8", "replace") + ">>"
    return "<<" + ",".join(str(b) for b in data) + ">>"


def _float(value: float) -> str:
    text = repr(value)
    if "e" in text:
        mantissa, exponent = text.split("e")
        mantissa = mantissa if "." in mantissa else mantissa + ".0"
        return f"{mantissa}e{int(exponent)}"
    return text


def term(value: Any) -> str:
    """`~0p` of the term `value` stands for."""
    if isinstance(value, Atom):
        return atom(value.name)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, str):
        return binary(value)
    if isinstance(value, Tuple):
        return "{" + ",".join(term(v) for v in value.items) + "}"
    if isinstance(value, ErlMap):
        pairs = sorted(value.items, key=lambda kv: kv[0].name)
        return "#{" + ",".join(f"{term(k)} => {term(v)}" for k, v in pairs) + "}"
    if isinstance(value, dict):  # a JSON object as minirest hands it over: a proplist
        if not value:
            return "[{}]"
        return "[" + ",".join(term(Tuple((k, v))) for k, v in value.items()) + "]"
    if isinstance(value, list):
        codes = [v for v in value if isinstance(v, int) and not isinstance(v, bool)]
        if value and len(codes) == len(value) and all(_printable(c) for c in codes):
            return _string(codes, '"')  # a list of character codes prints as a string
        return "[" + ",".join(term(v) for v in value) + "]"
    raise TypeError(f"no Erlang term for {value!r}")


def error_tuple(word: str) -> str:
    """`format_msg({error, Word})` of the auth plugin: `{error,existed}`."""
    return term(Tuple((Atom("error"), Atom(word))))
