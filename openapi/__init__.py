"""The OpenAPI documents, one per API, shipped as package data and parsed once per process.

Everything that needs a document (the mock's routing and validation, the suite, the lint, the
derived tables such as EMQX's client filters) reads it through here, so each file is parsed
once, with PyYAML's C loader when it is available, and once per text across processes: the
parse is kept beside the file as bytecode is (`parse_cache.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

import yaml

from .parse_cache import cached_parse, plain_copy

_Loader: type[yaml.CSafeLoader] | type[yaml.SafeLoader]
try:
    _Loader = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _Loader = yaml.SafeLoader

__all__ = ["derived", "document", "document_copy", "document_names", "document_path", "text"]


def document_names() -> list[str]:
    """The file names of every document (`emqx-v4.yaml`, …), sorted."""
    return sorted(p.name for p in files(__name__).iterdir() if p.name.endswith(".yaml"))


def text(name: str) -> str:
    return files(__name__).joinpath(name).read_text(encoding="utf-8")


@cache
def document(name: str) -> dict[str, Any]:
    """The parsed document, shared: callers must not change it (see `document_copy`)."""
    return _parsed(name)


def _parsed(name: str, keep: bool | None = None) -> dict[str, Any]:
    parsed: dict[str, Any] = cached_parse(_source(name), text(name), _parse, keep=keep)
    return parsed


def _parse(text: str) -> Any:
    return yaml.load(text, Loader=_Loader)


def document_copy(name: str) -> dict[str, Any]:
    """A private copy, for consumers that change what they are given (Connexion resolves
    references in place)."""
    return plain_copy(document(name))


def derived(
    name: str,
    variant: str,
    build: Callable[[dict[str, Any]], Any],
    *,
    depends: str = "",
    keep: bool | None = None,
) -> Any:
    """`build(document_copy(name))`, kept beside the document as its parse is
    (`parse_cache.py`, whose `keep` this is). `variant` names the result; `depends` must name
    everything else it depends on (e.g. a hash of the code that builds it). The result must be
    plain data; a new object on every call."""
    return cached_parse(
        _source(name),
        text(name),
        lambda _: build(document_copy(name)),
        variant=variant,
        depends=depends,
        keep=keep,
    )


def _source(name: str) -> Path | None:
    resource = files(__name__).joinpath(name)
    return resource if isinstance(resource, Path) else None


@contextmanager
def document_path(name: str) -> Iterator[Path]:
    """A file system path of the document while the context lasts (for child processes)."""
    with as_file(files(__name__).joinpath(name)) as path:
        yield path
