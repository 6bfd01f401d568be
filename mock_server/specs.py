"""Connexion's view of each document, built once per process.

`AsyncApp.add_api(document)` turns the document into a Connexion `Specification` every time:
a deep copy, its defaults, a validation of the whole document against the OpenAPI 3
meta-schema (with every `default` checked against its schema), and `$ref` resolution. For
emqx-v4.yaml that is about a second on a 2-core machine, and it was 90 % of `create_app`
(measured with cProfile: `connexion.spec.Specification._validate_spec`). The documents are
package data that cannot change within a process, so each is built and validated once here;
every app then gets a deep copy (a few hundredths of a second), because Connexion writes into
the specification it is given.

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

import copy
from functools import cache
from typing import Any

import connexion
from connexion.middleware.main import API
from connexion.spec import OpenAPISpecification, Specification

from mqtt_api_kit.openapi import document_copy

__all__ = ["connexion_validate", "register", "specification"]


class _Checked(OpenAPISpecification):
    """An OpenAPI 3 specification of a document already validated by the test suite."""

    # `base_uri` too: `Specification.clone` (Swagger UI's `with_base_path`) passes it.
    def __init__(self, raw_spec: dict[str, Any], *, base_uri: str = "") -> None:
        super().__init__(raw_spec, base_uri=base_uri)  # type: ignore[no-untyped-call]

    @classmethod
    def _validate_spec(cls, spec: Any) -> None:
        return None


def _string_keys(obj: Any) -> Any:
    """What `Specification.from_dict` does first: YAML's integer keys (`200:`) as text."""
    if isinstance(obj, dict):
        return {str(k): _string_keys(v) for k, v in obj.items()}
    return obj


def connexion_validate(name: str) -> None:
    """Connexion's own check of a document (meta-schema and defaults), as `add_api` runs it;
    raises `InvalidSpecification`. For the tests: the mock skips it at start-up."""
    OpenAPISpecification._validate_spec(_string_keys(document_copy(name)))


@cache
def _validated(name: str) -> _Checked:
    raw = _string_keys(document_copy(name))
    if not str(raw.get("openapi", "")).startswith("3."):
        raise ValueError(f"{name}: the mock serves OpenAPI 3 documents only")
    return _Checked(raw)


def specification(name: str) -> Specification:
    """A private, validated Connexion specification of the document `name`: a deep copy.
    Connexion writes its `servers`, and parts of the resolved paths are written too while
    apps are built and served (test_specs.py caught it when only the top level was copied)."""
    return copy.deepcopy(_validated(name))


def register(
    app: connexion.AsyncApp, spec: Specification, *, base_path: str, name: str, **options: Any
) -> None:
    """`app.add_api(...)` for a specification that is already built."""
    middleware = app.middleware
    if middleware.middleware_stack is not None:
        raise RuntimeError("Cannot add an API after the application has started")
    merged = middleware.options.replace(**options)
    middleware.apis.append(API(spec, base_path=base_path, name=name, **merged.__dict__))
