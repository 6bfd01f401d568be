"""Connexion's view of each document, built once per document: once per process, and kept
beside the document across processes (`mqtt_api_kit.openapi.derived`).

`AsyncApp.add_api(document)` turns the document into a Connexion `Specification` every time:
a deep copy, its defaults, a validation of the whole document against the OpenAPI 3
meta-schema (with every `default` checked against its schema), and `$ref` resolution. For
emqx-v4.yaml that is about a second on a 2-core machine, and it was 90 % of `create_app`
(measured with cProfile: `connexion.spec.Specification._validate_spec`). The documents are
package data that cannot change within a process, so each is built and validated once here;
every app then gets a copy (`plain_copy`: 2–18 ms a document), because Connexion writes into
the specification it is given. The resolution itself (a deep copy, the defaults, `$ref`s:
about 0.15 s for the four documents) is kept beside the document with its parse, under a key
of the document's text and of Connexion's code that resolves it, so a later process reads it
back in a few milliseconds.

That validation is a property of the documents, not of a run: it is 2/3 of the mock's start-up
(cProfile, `jsonschema` under `_validate_spec`: about 1.5 s of CPU for the three documents),
and its answer cannot differ between runs of one installed package. So the mock builds its
specifications without it (`_Checked`), and tests/mock_server/test_specs.py runs Connexion's
own validation on every document, so a document the mock would not have accepted still fails
the build.

`register` is what `ConnexionMiddleware.add_api` does once it holds a `Specification`
(connexion 3.x, `connexion/middleware/main.py`): merge the API's options into the app's and
queue the API for the middlewares, which build their operations from it on first request.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

import connexion
import connexion.json_schema
import connexion.spec
from connexion.middleware.main import API
from connexion.spec import OpenAPISpecification, Specification

from mqtt_api_kit.openapi import derived, document_copy, document_names
from mqtt_api_kit.openapi.parse_cache import plain_copy

__all__ = ["connexion_validate", "register", "specification"]


class _Checked(OpenAPISpecification):
    """An OpenAPI 3 specification of a document already validated by the test suite."""

    # `base_uri` too: `Specification.clone` (Swagger UI's `with_base_path`) passes it.
    def __init__(self, raw_spec: dict[str, Any], *, base_uri: str = "") -> None:
        super().__init__(raw_spec, base_uri=base_uri)  # type: ignore[no-untyped-call]

    @classmethod
    def _validate_spec(cls, spec: Any) -> None:
        return None

    @classmethod
    def of(cls, raw: dict[str, Any], resolved: dict[str, Any]) -> _Checked:
        """The specification `__init__` would build, from what it built before (`_resolve`):
        Connexion's own state of a `Specification`, nothing derived from it."""
        spec = cls.__new__(cls)
        spec._raw_spec, spec._spec, spec._base_uri = raw, resolved, ""
        return spec


def _string_keys(obj: Any) -> Any:
    """What `Specification.from_dict` does first: YAML's integer keys (`200:`) as text."""
    if isinstance(obj, dict):
        return {str(k): _string_keys(v) for k, v in obj.items()}
    return obj


def connexion_validate(name: str) -> None:
    """Connexion's own check of a document (meta-schema and defaults), as `add_api` runs it;
    raises `InvalidSpecification`. For the tests: the mock skips it at start-up."""
    OpenAPISpecification._validate_spec(_string_keys(document_copy(name)))


def _resolve(document: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """What `Specification.__init__` builds from a document (bar the validation): its raw copy
    with integer keys as text, and the copy with Connexion's defaults and `$ref`s resolved."""
    raw = _string_keys(document)
    if not str(raw.get("openapi", "")).startswith("3."):
        raise ValueError("the mock serves OpenAPI 3 documents only")
    built = _Checked(raw)
    return built.raw, built._spec


# The resolution depends on Connexion's code as much as on the document: its text is part of
# the key of what is kept (`mqtt_api_kit.openapi.derived`).
_RESOLVER = hashlib.sha256(
    b"".join(Path(m.__file__ or "").read_bytes() for m in (connexion.spec, connexion.json_schema))
).hexdigest()[:16]


@cache
def _resolved(name: str, keep: bool | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    try:
        raw, resolved = derived(name, "connexion", _resolve, depends=_RESOLVER, keep=keep)
    except ValueError as exc:
        raise ValueError(f"{name}: {exc}") from None
    return raw, resolved


def specification(name: str) -> Specification:
    """A private Connexion specification of the document `name`, resolved once per process
    (and its resolution kept beside the document across processes, as its parse is).
    Connexion writes its `servers`, and parts of the resolved paths are written too while
    apps are built and served (test_specs.py caught it when only the top level was copied),
    so each is a copy of its own."""
    raw, resolved = plain_copy(_resolved(name))
    return _Checked.of(raw, resolved)


def keep_all() -> None:
    """Build every document's specification and keep it, even where bytecode is not written
    (`python -m mqtt_api_kit.mock_server.specs`, run by the Makefile's install step)."""
    for name in document_names():
        _resolved(name, keep=True)


def register(
    app: connexion.AsyncApp, spec: Specification, *, base_path: str, name: str, **options: Any
) -> None:
    """`app.add_api(...)` for a specification that is already built."""
    middleware = app.middleware
    if middleware.middleware_stack is not None:
        raise RuntimeError("Cannot add an API after the application has started")
    merged = middleware.options.replace(**options)
    middleware.apis.append(API(spec, base_path=base_path, name=name, **merged.__dict__))


if __name__ == "__main__":
    keep_all()
