"""The OpenAPI documents, one per API, shipped as package data and parsed once per process.

Everything that needs a document (the mock's routing and validation, the suite, the lint, the
derived tables such as EMQX's client filters) reads it through here, so each file is parsed
once, with PyYAML's C loader when it is available.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

import yaml

_Loader: type[yaml.CSafeLoader] | type[yaml.SafeLoader]
try:
    _Loader = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _Loader = yaml.SafeLoader

__all__ = ["document", "document_copy", "document_names", "document_path", "text"]


def document_names() -> list[str]:
    """The file names of every document (`emqx-v4.yaml`, …), sorted."""
    return sorted(p.name for p in files(__name__).iterdir() if p.name.endswith(".yaml"))


def text(name: str) -> str:
    return files(__name__).joinpath(name).read_text(encoding="utf-8")


@cache
def document(name: str) -> dict[str, Any]:
    """The parsed document, shared: callers must not change it (see `document_copy`)."""
    parsed: dict[str, Any] = yaml.load(text(name), Loader=_Loader)
    return parsed


def document_copy(name: str) -> dict[str, Any]:
    """A private copy, for consumers that change what they are given (Connexion resolves
    references in place)."""
    return copy.deepcopy(document(name))


@contextmanager
def document_path(name: str) -> Iterator[Path]:
    """A file system path of the document while the context lasts (for child processes)."""
    with as_file(files(__name__).joinpath(name)) as path:
        yield path
