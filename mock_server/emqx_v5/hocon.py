"""HOCON, the text form of EMQX 5's configuration (`GET`/`PUT /configs` as `text/plain`, and a data
backup's `META.hocon` and `cluster.hocon`, `data_backup.py`).

`parse` reads the part of HOCON a configuration update uses, as emqx/hocon 0.43 (`hocon:binary/1`)
reads it: objects (`key { … }`, `key = { … }`, `key: …`), dotted keys (`a.b.c = 1`, which
nest and merge), arrays, quoted and triple-quoted strings, unquoted strings (`60s`, `80%`,
kept as strings: the schema converts them later), numbers, booleans, `null`, `#` and `//`
comments, commas or new lines between fields, and `${VAR}` outside quotes (an environment
variable of the broker; the world has none, so it is an error, as an unset one is). A later
field of an object merges into an earlier one of the same key, as HOCON's duplicate keys do.
`dump` writes a tree the way hocon_pp:do/2 lays it out: `key = value`, objects as indented
blocks, keys in map (sorted) order. Bounded: the body is the mock's capped request body.
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = ["HoconError", "dump", "parse"]

_MAX_DEPTH = 64  # nesting a configuration never needs; deeper is refused, not recursed into
_NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$")
_FORBIDDEN = set('$"{}[]:=,+#`^?!@*&\\')  # HOCON's characters an unquoted string cannot hold
_SAFE = re.compile(r"^[A-Za-z0-9_./%-]+$")


class HoconError(ValueError):
    """A text that is not HOCON: `reason` and the 1-based `line`, as hocon's scan/parse errors."""

    def __init__(self, reason: str, line: int, kind: str = "parse_error") -> None:
        super().__init__(reason)
        self.reason, self.line, self.kind = reason, line, kind


class _Reader:
    def __init__(self, text: str) -> None:
        self.text, self.at = text, 0

    @property
    def line(self) -> int:
        return self.text.count("\n", 0, self.at) + 1

    def fail(self, reason: str, kind: str = "parse_error") -> HoconError:
        return HoconError(reason, self.line, kind)

    def peek(self) -> str:
        return self.text[self.at] if self.at < len(self.text) else ""

    def skip(self, newlines: bool = True) -> None:
        """Blanks and comments (and new lines, unless they separate fields here)."""
        while self.at < len(self.text):
            ch = self.text[self.at]
            if ch == "#" or self.text.startswith("//", self.at):
                end = self.text.find("\n", self.at)
                self.at = len(self.text) if end < 0 else end
            elif ch in " \t\r\ufeff" or (newlines and ch == "\n"):
                self.at += 1
            else:
                return

    def key(self) -> list[str]:
        parts: list[str] = []
        while True:
            if self.peek() == '"':
                parts.append(self.quoted())
            else:
                start = self.at
                while (ch := self.peek()) and ch not in _FORBIDDEN and ch not in " \t\r\n.":
                    self.at += 1
                if start == self.at:
                    raise self.fail("syntax error before: " + (self.peek() or "end of input"))
                parts.append(self.text[start : self.at])
            if self.peek() != ".":
                return parts
            self.at += 1

    def quoted(self) -> str:
        if self.text.startswith('"""', self.at):
            end = self.text.find('"""', self.at + 3)
            if end < 0:
                raise self.fail("unterminated triple-quoted string", "scan_error")
            raw = self.text[self.at + 3 : end]
            self.at = end + 3
            return raw
        match = re.compile(r'"(?:[^"\\\n]|\\.)*"').match(self.text, self.at)
        if match is None:
            raise self.fail("unterminated string", "scan_error")
        self.at = match.end()
        try:
            value: str = json.loads(match.group(0))
        except ValueError as exc:
            raise self.fail("bad escape in string", "scan_error") from exc
        return value

    def value(self, depth: int) -> Any:
        if depth > _MAX_DEPTH:
            raise self.fail("nesting too deep")
        ch = self.peek()
        if ch == "{":
            return self.obj(depth + 1)
        if ch == "[":
            return self.array(depth + 1)
        if ch == '"':
            return self.quoted()
        if self.text.startswith("${", self.at):
            end = self.text.find("}", self.at)
            name = self.text[self.at + 2 : end] if end > 0 else ""
            raise self.fail(f"failed_to_resolve_substitution: {name}", "resolve_error")
        start = self.at
        while (
            (ch := self.peek()) and ch not in "\n,}]#" and not self.text.startswith("//", self.at)
        ):
            if ch in _FORBIDDEN:
                raise self.fail("syntax error before: " + ch)
            self.at += 1
        word = self.text[start : self.at].strip()
        if not word:
            raise self.fail("syntax error before: " + (self.peek() or "end of input"))
        return _scalar(word)

    def array(self, depth: int) -> list[Any]:
        self.at += 1  # [
        items: list[Any] = []
        while True:
            self.skip()
            if self.peek() == "]":
                self.at += 1
                return items
            if not self.peek():
                raise self.fail("syntax error before: end of input")
            items.append(self.value(depth))
            self.skip()
            if self.peek() == ",":
                self.at += 1

    def fields(self, depth: int, closing: str) -> dict[str, Any]:
        tree: dict[str, Any] = {}
        while True:
            self.skip()
            if self.peek() == closing:
                return tree
            if self.peek() == "," and tree:
                self.at += 1
                continue
            path = self.key()
            self.skip(newlines=False)
            if self.peek() in ("=", ":"):
                self.at += 1
                self.skip(newlines=False)
            elif self.peek() != "{":
                raise self.fail("syntax error before: " + (self.peek() or "end of input"))
            _put(tree, path, self.value(depth))
            self.skip(newlines=False)
            if self.peek() not in (",", "\n", closing, "#", "/"):
                raise self.fail("syntax error before: " + self.peek())

    def obj(self, depth: int) -> dict[str, Any]:
        self.at += 1  # {
        tree = self.fields(depth, "}")
        if self.peek() != "}":
            raise self.fail("syntax error before: end of input")
        self.at += 1
        return tree


def _scalar(word: str) -> Any:
    if word in ("true", "false"):
        return word == "true"
    if word == "null":
        return None
    if _NUMBER.match(word):
        return float(word) if any(c in word for c in ".eE") else int(word)
    return word


def _put(tree: dict[str, Any], path: list[str], value: Any) -> None:
    for part in path[:-1]:
        child = tree.get(part)
        if not isinstance(child, dict):
            child = tree[part] = {}
        tree = child
    last = path[-1]
    before = tree.get(last)
    if isinstance(before, dict) and isinstance(value, dict):
        for key, item in value.items():
            _put(before, [key], item)
    else:
        tree[last] = value


def parse(text: str) -> dict[str, Any]:
    """The object a HOCON text holds (the root braces are optional)."""
    reader = _Reader(text)
    reader.skip()
    if reader.peek() == "{":
        tree = reader.obj(1)
    else:
        tree = reader.fields(1, "")
    reader.skip()
    if reader.peek():
        raise reader.fail("syntax error before: " + reader.peek())
    return tree


def _atom(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    text = str(value)
    return text if _SAFE.match(text) and _scalar(text) == text else json.dumps(text)


def _lines(tree: dict[str, Any], indent: str) -> list[str]:
    out: list[str] = []
    for key in sorted(tree):
        value = tree[key]
        name = key if _SAFE.match(key) and "." not in key else json.dumps(key)
        if isinstance(value, dict):
            out += [f"{indent}{name} {{", *_lines(value, indent + "  "), f"{indent}}}"]
        else:
            out.append(f"{indent}{name} = {_value(value, indent)}")
    return out


def _value(value: Any, indent: str) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_value(item, indent) for item in value) + "]"
    if isinstance(value, dict):
        inner = _lines(value, indent + "  ")
        return "{\n" + "\n".join(inner) + f"\n{indent}}}" if inner else "{}"
    return _atom(value)


def dump(tree: dict[str, Any]) -> str:
    """hocon_pp:do/2's layout of `tree`."""
    return "\n".join(_lines(tree, "")) + "\n"
