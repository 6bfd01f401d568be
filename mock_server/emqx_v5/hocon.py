"""HOCON text for data backups: `dumps` writes a tree the way hocon_pp:do/2 lays it out, and
`loads` reads the HOCON a broker's backup holds (hocon_pp's output, or JSON, which is HOCON).

`loads` reads the part of HOCON configuration files use: objects (braces optional at the
root, `=`, `:` or nothing before `{`), arrays, quoted and triple-quoted strings, unquoted
values (`0s`, `1MB`, `built_in_database`: kept as the text they are, as EMQX's raw
configuration keeps them; `true`/`false`/`null` and numbers are typed), dotted keys, `#` and
`//` comments, repeated keys (objects merge, anything else is replaced). `${…}` substitutions
and `include` are not resolved: a backup's cluster.hocon has none. A text it cannot read
raises `HoconError` (EMQX answers that upload with 400).
"""HOCON, the text form of EMQX 5's configuration (`GET`/`PUT /configs` as `text/plain`).

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

__all__ = ["HoconError", "dumps", "loads"]

_NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_BARE_KEY = re.compile(r"[A-Za-z0-9_\-]+")
_UNQUOTED_STOP = set('{}[],:=\n#"')
MAX_DEPTH = 64


class HoconError(ValueError):
    pass


# -- writing ---------------------------------------------------------------------------------


def _value(value: Any, indent: int) -> str:
    pad = "  " * indent
    if isinstance(value, dict):
        if not value:
            return "{}"
        body = "".join(f"{pad}  {_field(k, v, indent + 1)}\n" for k, v in sorted(value.items()))
        return "{\n" + body + pad + "}"
    if isinstance(value, list):
        if not value:
            return "[]"
        items = ",\n".join(f"{pad}  {_value(v, indent + 1)}" for v in value)
        return "[\n" + items + "\n" + pad + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    return json.dumps(str(value), ensure_ascii=False)


def _key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else json.dumps(key, ensure_ascii=False)


def _field(key: str, value: Any, indent: int) -> str:
    if isinstance(value, dict):
        return f"{_key(key)} {_value(value, indent)}"
    return f"{_key(key)} = {_value(value, indent)}"


def dumps(tree: dict[str, Any]) -> str:
    return "".join(f"{_field(k, v, 0)}\n" for k, v in sorted(tree.items()))


# -- reading ---------------------------------------------------------------------------------
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

    def fail(self, what: str) -> HoconError:
        line = self.text.count("\n", 0, self.at) + 1
        return HoconError(f"{what} at line {line}")
    @property
    def line(self) -> int:
        return self.text.count("\n", 0, self.at) + 1

    def fail(self, reason: str, kind: str = "parse_error") -> HoconError:
        return HoconError(reason, self.line, kind)

    def peek(self) -> str:
        return self.text[self.at] if self.at < len(self.text) else ""

    def skip(self, newlines: bool = True) -> None:
        """Whitespace and comments (and, if asked, newlines)."""
        while self.at < len(self.text):
            ch = self.text[self.at]
            if ch == "\n" and not newlines:
                return
            if ch.isspace():
                self.at += 1
            elif ch == "#" or self.text.startswith("//", self.at):
                end = self.text.find("\n", self.at)
                self.at = len(self.text) if end < 0 else end
            else:
                return

    def string(self) -> str:
        if self.text.startswith('"""', self.at):
            end = self.text.find('"""', self.at + 3)
            if end < 0:
                raise self.fail("unterminated string")
            value = self.text[self.at + 3 : end]
            self.at = end + 3
            return value
        match = re.compile(r'"(?:[^"\\\n]|\\.)*"').match(self.text, self.at)
        if match is None:
            raise self.fail("unterminated string")
        self.at = match.end()
        try:
            decoded: str = json.loads(match.group())
        except ValueError as exc:
            raise self.fail("bad string escape") from exc
        return decoded

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
                parts.append(self.string())
            else:
                match = _BARE_KEY.match(self.text, self.at)
                if match is None:
                    raise self.fail("expected a key")
                parts.append(match.group())
                self.at = match.end()
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

    def value(self, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise self.fail("nested too deep")
        self.skip()
        ch = self.peek()
        if ch == "{":
            self.at += 1
            found = self.fields(depth + 1, "}")
            self.at += 1
            return found
        if ch == "[":
            return self.array(depth + 1)
        if ch == '"':
            return self.string()
        return self.unquoted()

    def array(self, depth: int) -> list[Any]:
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
                raise self.fail("unterminated array")
                raise self.fail("syntax error before: end of input")
            items.append(self.value(depth))
            self.skip()
            if self.peek() == ",":
                self.at += 1

    def unquoted(self) -> Any:
        start = self.at
        while self.at < len(self.text) and self.text[self.at] not in _UNQUOTED_STOP:
            if self.text.startswith("//", self.at) or self.text[self.at] in "}]":
                break
            self.at += 1
        token = self.text[start : self.at].strip()
        if not token:
            raise self.fail("expected a value")
        if token in ("true", "false"):
            return token == "true"
        if token == "null":
            return None
        if _NUMBER.fullmatch(token):
            number = float(token)
            return int(token) if number.is_integer() and "." not in token else number
        return token

    def fields(self, depth: int, closing: str) -> dict[str, Any]:
        tree: dict[str, Any] = {}
        while True:
            self.skip()
            ch = self.peek()
            if (closing and ch == closing) or (not closing and not ch):
                return tree
            if not ch:
                raise self.fail("unterminated object")
            if ch == ",":
            if self.peek() == closing:
                return tree
            if self.peek() == "," and tree:
                self.at += 1
                continue
            path = self.key()
            self.skip(newlines=False)
            if self.peek() in ("=", ":"):
                self.at += 1
            elif self.peek() != "{":
                raise self.fail(f"expected '=' after {'.'.join(path)}")
            _put(tree, path, self.value(depth))

    def root(self) -> dict[str, Any]:
        """The whole text: one object, its braces optional."""
        self.skip()
        if self.peek() != "{":
            return self.fields(1, "")
        self.at += 1
        tree = self.fields(1, "}")
        self.at += 1
        self.skip()
        if self.peek():
            raise self.fail("text after the root object")
        return tree


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
    if isinstance(value, dict) and isinstance(tree.get(last), dict):
        merged = tree[last]
        for key, item in value.items():
            _put(merged, [key], item)
    before = tree.get(last)
    if isinstance(before, dict) and isinstance(value, dict):
        for key, item in value.items():
            _put(before, [key], item)
    else:
        tree[last] = value


def loads(text: str) -> dict[str, Any]:
    return _Reader(text).root()
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
