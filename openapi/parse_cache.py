"""Parsed documents kept beside their source, as Python keeps bytecode.

PyYAML builds a document's objects in Python even with its C scanner: parsing the four
documents took 0.65 s of the mock's start-up (emqx-v5.yaml alone 0.42 s, measured on the
2-core CI machine), while `marshal.loads` of the same objects takes 0.02 s. So the first parse
of a document is written to `__pycache__/NAME.parse.marshal` beside it, and later processes
read that instead.

The rules are Python's own for `.pyc` files (PEP 3147, PEP 488):

* the key, the file's first line, is a hash of the document's text and the interpreter's
  marshal format, so an edited document or another Python never reads a stale parse; one file
  per document (and variant) is rewritten when the key changes, never one per key;
* nothing is written when `sys.dont_write_bytecode` is set (`-B`, `PYTHONDONTWRITEBYTECODE`),
  and `sys.pycache_prefix` (`-X pycache_prefix`, `PYTHONPYCACHEPREFIX`) moves the folder;
  `python -m mqtt_api_kit.openapi` writes every document's parse regardless, as `compileall`
  does (the Makefile's install step runs it);
* a folder that cannot be written (a read-only install) only means parsing every time;
* a file that cannot be read back (truncated, another format) is parsed again, not trusted.

`marshal` is used, not `pickle`: loading it can build values only, never run code, so a file
someone else wrote into the folder can at worst give a wrong document — which the key makes
unlikely and the tests' document checks would show.
"""

from __future__ import annotations

import copy
import hashlib
import marshal
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

__all__ = ["cached_parse", "plain_copy"]

T = TypeVar("T")

# Part of the key: a marshal file written by another format is never read.
_FORMAT = f"{sys.implementation.cache_tag}-m{marshal.version}".encode()


def _key(text: str, variant: str) -> bytes:
    digest = hashlib.sha256(b"\0".join((_FORMAT, variant.encode(), text.encode())))
    return digest.hexdigest().encode() + b"\n"


def _cache_file(source: Path, variant: str) -> Path:
    """One file per document and variant, rewritten when its key changes: the folder holds
    at most that many files however often a document is edited."""
    folder = source.parent / "__pycache__"
    if sys.pycache_prefix:
        # As for bytecode: the source's absolute folder, re-rooted under the prefix.
        folder = Path(sys.pycache_prefix) / source.parent.resolve().relative_to("/")
    tag = "".join(c if c.isalnum() else "-" for c in variant) or "parse"
    return folder / f"{source.name}.{tag}.marshal"


def _read(path: Path, key: bytes) -> Any:
    try:
        kept = path.read_bytes()
        if not kept.startswith(key):
            return None
        return marshal.loads(kept[len(key) :])
    except (OSError, EOFError, ValueError, TypeError):
        return None


def _write(path: Path, key: bytes, value: Any) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written aside and renamed: a reader never sees half a file, and two processes that
        # parse at once both end with a whole one. Created as `open` would (the umask's mode).
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        try:
            temporary.write_bytes(key + marshal.dumps(value))
            os.replace(temporary, path)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
    except (OSError, ValueError):  # unwritable folder; a value marshal cannot hold
        return


def cached_parse(
    source: Path | None,
    text: str,
    parse: Callable[[str], Any],
    *,
    variant: str = "",
    depends: str = "",
    keep: bool | None = None,
) -> Any:
    """`parse(text)`, or the parse of this very text an earlier process kept beside `source`
    (None: a document with no file of its own, e.g. inside a zip, is parsed every time).
    `variant` names what is kept (another parse of the same text: its file); `depends`, what
    else the result depends on (the code of that parser), is part of the key. A new parse is
    kept unless bytecode is not written; `keep` overrides that. Each call's answer is a new
    object, its caller's own."""
    if source is None:
        return parse(text)
    path, key = _cache_file(source, variant), _key(text, f"{variant}\0{depends}")
    kept = _read(path, key)
    if kept is not None:
        return kept
    value = parse(text)
    if (not sys.dont_write_bytecode) if keep is None else keep:
        _write(path, key, value)
    return value


def plain_copy(value: T) -> T:
    """`copy.deepcopy` for plain data (dicts, lists, text, numbers; shared and cyclic parts
    stay shared and cyclic), three times faster: marshal's round trip is C throughout."""
    try:
        # marshal refuses what it cannot hold (ValueError), whatever the static type says
        copied: T = marshal.loads(marshal.dumps(value))  # type: ignore[arg-type]
    except ValueError:  # a value marshal cannot hold
        return copy.deepcopy(value)
    return copied
