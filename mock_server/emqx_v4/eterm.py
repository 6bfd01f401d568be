"""Erlang terms as EMQX 4.4 prints them into messages (`io_lib:format("~0p", [Term])`).

Several plugin handlers put a printed term in an answer: minirest's `return({error, Term})`
(`minirest.erl` 0.3.12, `format_msg/1`), `POST /acl`'s `{add, Map}`, the auth batch outcomes
(`"{error,existed}"`), the rule engine's `Bad Arguments: …`. The auth and ACL modules' own
`format_msg/1` prints with `~p` (emqx_auth_mnesia_api.erl:311, emqx_acl_mnesia_api.erl:231),
which breaks lines past 80 columns; the terms they print (`{error,existed}`, `{error,login}`)
are far shorter, so one printer serves. The request body reaches a handler
as minirest's jiffy decoding made it (`minirest_handler:from_ejson/1`): an object is a
proplist of `{<<"key">>, Value}` (`{}` is `[{}]`), a string a binary, `null` the atom `null`.

Python values stand for terms as in `fixtures/terms.py`; an `ErlMap`'s keys are printed in
term order (the atoms here sort by name, as OTP 24 prints small maps).
"""

from __future__ import annotations

import re
from typing import Any

from mqtt_api_kit.fixtures.terms import UNDEFINED, Atom, ErlMap

__all__ = ["UNDEFINED", "Atom", "ErlMap", "atom", "binary", "error_tuple", "term"]

_PLAIN_ATOM = re.compile(r"[a-z][a-zA-Z0-9_@]*\Z")
_RESERVED = frozenset(
    "after and andalso band begin bnot bor bsl bsr bxor case catch cond div end fun if let "
    "maybe not of or orelse receive rem try when xor".split()
)
_ESCAPES = {0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t", 0x0B: "\\v", 0x08: "\\b", 0x0C: "\\f"}
_ESCAPES.update({0x1B: "\\e", 0x22: '\\"', 0x5C: "\\\\"})


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


def term(value: Any, maps: bool = False) -> str:
    """`~0p` of the term `value` stands for. A `dict` is a JSON object as minirest hands it to
    a handler (a proplist), or with `maps` as `emqx_json:decode(_, [return_maps])` makes it
    (the rule engine's `json_term_to_map/1`): a map with binary keys, in byte order."""
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
    if isinstance(value, tuple):
        return "{" + ",".join(term(v, maps) for v in value) + "}"
    if isinstance(value, ErlMap):
        pairs = sorted(value.items, key=lambda kv: kv[0].name)
        return "#{" + ",".join(f"{term(k, maps)} => {term(v, maps)}" for k, v in pairs) + "}"
    if isinstance(value, dict) and maps:
        keys = sorted(value, key=lambda k: str(k).encode())
        return "#{" + ",".join(f"{term(k, maps)} => {term(value[k], maps)}" for k in keys) + "}"
    if isinstance(value, dict):
        if not value:
            return "[{}]"
        return "[" + ",".join(term((k, v), maps) for k, v in value.items()) + "]"
    if isinstance(value, list):
        codes = [v for v in value if isinstance(v, int) and not isinstance(v, bool)]
        if value and len(codes) == len(value) and all(_printable(c) for c in codes):
            return _string(codes, '"')  # a list of character codes prints as a string
        return "[" + ",".join(term(v, maps) for v in value) + "]"
    raise TypeError(f"no Erlang term for {value!r}")


def error_tuple(word: str) -> str:
    """`format_msg({error, Word})` of the auth plugin: `{error,existed}`."""
    return term((Atom("error"), Atom(word)))
