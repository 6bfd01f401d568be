"""Connexion's view of each document, built once per process.

`AsyncApp.add_api(document)` turns the document into a Connexion `Specification` every time:
a deep copy, its defaults, a validation of the whole document against the OpenAPI 3
meta-schema (with every `default` checked against its schema), and `$ref` resolution. For
emqx-v4.yaml that is about a second on a 2-core machine, and it was 90 % of `create_app`
(measured with cProfile: `connexion.spec.Specification._validate_spec`). The documents are
package data that cannot change within a process, so each is built and validated once here;
every app then gets a deep copy (a few hundredths of a second), because Connexion writes the
base path into the specification it is given.

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
from connexion.spec import Specification

from mqtt_api_kit.openapi import document_copy

__all__ = ["register", "specification"]


@cache
def _validated(name: str) -> Specification:
    # `from_dict` is unannotated in Connexion; it returns the OpenAPI 3 subclass for 3.x.
    built: Specification = Specification.from_dict(document_copy(name))
    return built


def specification(name: str) -> Specification:
    """A private, validated Connexion specification of the document `name`."""
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
