"""Connexion with its per-operation work done once, at start-up.

Connexion 3.1 routes, validates and calls handlers for us, but rebuilds per request what only
depends on the operation (measured with py-spy under wrk, `GET /clients?_limit=10`):

* `AsyncOperation.fn` builds a new `StarletteDecorator` on every call, whose `decorate`
  builds the parameter and response decorators again and inspects the handler's signature
  (`inspect.signature`) again — about 18% of a request;
* `RequestValidationOperation` builds a URI parser and a `ParameterValidator` per request,
  and that validator deep-copies every parameter definition and compiles a jsonschema
  `Draft4Validator` for it, for every value it checks — 12%; the JSON body validator compiles
  the body schema per request likewise;
* the query string is parsed and converted twice, once by the validator and once by the
  parameter decorator.

The classes here keep Connexion's behaviour (the same decorators, parsers, validator classes
and error texts) and move that work to start-up through Connexion's documented extension
points: the `validator_map` of `add_api`, and the operation class of the ASGI app that
`AsyncApp` wraps. A request still goes through Connexion's routing, security, validation and
parameter decorator; only the objects it used to rebuild are kept.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, cast

import connexion
from connexion.apps.abstract import AbstractApp
from connexion.apps.asynchronous import AsyncApi, AsyncASGIApp, AsyncOperation
from connexion.datastructures import MediaTypeDict
from connexion.decorators import StarletteDecorator
from connexion.exceptions import BadRequestProblem
from connexion.json_schema import Draft4RequestValidator
from connexion.lifecycle import ConnexionRequest
from connexion.middleware import ConnexionMiddleware
from connexion.middleware.routing import RoutingMiddleware
from connexion.middleware.swagger_ui import SwaggerUIMiddleware
from connexion.operations import AbstractOperation
from connexion.utils import is_null, is_nullable
from connexion.validators import VALIDATOR_MAP, JSONRequestBodyValidator, ParameterValidator
from jsonschema import Draft4Validator, ValidationError
from starlette.types import Receive, Scope, Send

from .exact_routing import ExactRoutingMiddleware, SwaggerUiOnItsPaths, never_redirect

__all__ = ["PreparedApp", "prepared_validators"]

# Where the validator leaves the query it parsed for the handler's parameter decorator.
_PARSED_QUERY = "mqtt_api_kit.query"
_FORMATS = Draft4Validator.FORMAT_CHECKER
# Connexion's middleware list with its routing middleware routing exactly and Swagger UI's
# routing only its own paths (exact_routing.py).
_OURS: dict[type, type] = {
    RoutingMiddleware: ExactRoutingMiddleware,
    SwaggerUIMiddleware: SwaggerUiOnItsPaths,
}
ROUTING_EXACTLY = tuple(_OURS.get(m, m) for m in ConnexionMiddleware.default_middlewares)


class _Checker:
    """One parameter's check, compiled once: `ParameterValidator.validate_parameter` without
    the per-call deep copy and schema compilation (same validator class, same messages)."""

    __slots__ = ("name", "nullable", "required", "validator", "where")

    def __init__(self, param: Mapping[str, Any]) -> None:
        self.name: str = param["name"]
        self.where: str = param["in"]
        self.nullable = is_nullable(param)
        self.required = bool(param.get("required"))
        self.validator = Draft4Validator(param.get("schema", param), format_checker=_FORMATS)

    def error(self, value: Any) -> str | None:
        if self.nullable and is_null(value):
            return None
        if value is not None:
            try:
                self.validator.validate(value)
            except ValidationError as exception:
                return str(exception)
            return None
        if self.required:
            return f"Missing {self.where} parameter '{self.name}'"
        return None


class _PreparedParameterValidator(ParameterValidator):
    """Connexion's parameter validator with its checks compiled for one operation."""

    def __init__(self, parameters: list[dict[str, Any]], uri_parser: Any, **kwargs: Any) -> None:
        super().__init__(parameters, uri_parser, **kwargs)  # type: ignore[no-untyped-call]
        self._checks = [
            _Checker(p)
            for where in ("query", "path", "header", "cookie")
            for p in self.parameters.get(where, [])
        ]

    def validate(self, scope: Scope) -> None:
        request = ConnexionRequest(scope, uri_parser=self.uri_parser)
        self.validate_request(request)
        # The parameter decorator reads the same query through the same parser: keep it.
        scope.setdefault("extensions", {})[_PARSED_QUERY] = request.query_params

    def validate_request(self, request: ConnexionRequest) -> None:
        if self.strict_validation:
            # The extra-parameter check; rare, kept as is.
            super().validate_request(request)  # type: ignore[no-untyped-call]
            return
        for check in self._checks:
            if check.where == "query":
                value = request.query_params.get(check.name)
            elif check.where == "path":
                value = request.path_params.get(check.name.replace("-", "_"))
            elif check.where == "header":
                value = request.headers.get(check.name)
            else:
                value = request.cookies.get(check.name)
            error = check.error(value)
            if error:
                raise BadRequestProblem(detail=error)


def prepared_validators() -> dict[str, Any]:
    """A `validator_map` for `add_api` whose validators are built once per operation (each app
    gets its own cache, which keeps the definitions it was built from alive)."""
    parameters: dict[int, tuple[object, _PreparedParameterValidator]] = {}
    bodies: dict[int, tuple[object, Any]] = {}

    def parameter(parameters_: list[dict[str, Any]], **kwargs: Any) -> ParameterValidator:
        key = id(parameters_)
        hit = parameters.get(key)
        if hit is None or hit[0] is not parameters_:
            hit = parameters[key] = (
                parameters_,
                _PreparedParameterValidator(parameters_, **kwargs),
            )
        return hit[1]

    class PreparedJsonBody(JSONRequestBodyValidator):
        """Connexion's JSON body validator with the body schema compiled once."""

        @property
        def _validator(self) -> Any:
            key = id(self._schema)
            hit = bodies.get(key)
            if hit is None or hit[0] is not self._schema:
                compiled = Draft4RequestValidator(self._schema, format_checker=_FORMATS)
                hit = bodies[key] = (self._schema, compiled)
            return hit[1]

    body = MediaTypeDict(cast(Mapping[str, Any], VALIDATOR_MAP["body"]))
    body["*/*json"] = PreparedJsonBody
    return {"parameter": parameter, "body": body}


class _ParsedRequest(ConnexionRequest):
    """A request whose query the validator already parsed (same parser, same scope)."""

    def __init__(self, scope: Scope, receive: Receive, uri_parser: Any, query: Any) -> None:
        super().__init__(scope, receive, uri_parser=uri_parser)  # type: ignore[no-untyped-call]
        if query is not None:
            self._query_params = query


class _PreparedOperation(AsyncOperation):
    """An operation whose decorator chain and URI parser are built once."""

    def __init__(self, operation: AbstractOperation, **kwargs: Any) -> None:
        super().__init__(operation.function, operation_id=operation.operation_id, **kwargs)
        self._uri_parser = operation.uri_parser_class(
            operation.parameters, operation.body_definition()
        )
        decorator = StarletteDecorator(
            pythonic_params=self.pythonic_params, jsonifier=self.jsonifier
        )
        self._call: Callable[[ConnexionRequest], Any] = decorator.decorate(self._fn)

    @classmethod
    def from_operation(
        cls, operation: AbstractOperation, *, pythonic_params: bool, jsonifier: Any
    ) -> _PreparedOperation:
        return cls(operation, pythonic_params=pythonic_params, jsonifier=jsonifier)

    @property
    def fn(self) -> Callable[..., Any]:
        return functools.partial(self._call)

    # Connexion annotates this as returning a response; an ASGI call returns None.
    async def __call__(  # type: ignore[override]
        self, scope: Scope, receive: Receive, send: Send
    ) -> None:
        parsed = scope.get("extensions", {}).get(_PARSED_QUERY)
        request = _ParsedRequest(scope, receive, self._uri_parser, parsed)
        response = await self._call(request)
        await response(scope, receive, send)


class _PreparedApi(AsyncApi):
    def make_operation(self, operation: AbstractOperation) -> AsyncOperation:
        return _PreparedOperation.from_operation(
            operation, pythonic_params=self.pythonic_params, jsonifier=self.jsonifier
        )


class _PreparedAsgiApp(AsyncASGIApp):
    api_cls = _PreparedApi

    def add_api(self, *args: Any, **kwargs: Any) -> Any:
        api = super().add_api(*args, **kwargs)
        never_redirect(self.router)  # exact_routing.py: no broker redirects a trailing `/`
        return api


class PreparedApp(connexion.AsyncApp):
    """`connexion.AsyncApp` whose operations are prepared at start-up (see the module)."""

    def __init__(self, import_name: str, **kwargs: Any) -> None:
        # `AsyncApp.__init__` only creates its ASGI app and hands the rest to `AbstractApp`,
        # which wraps whatever `_middleware_app` is in Connexion's middleware stack.
        self._middleware_app = _PreparedAsgiApp()
        # A list of its own: Connexion inserts each app's `add_middleware` into it.
        kwargs.setdefault("middlewares", list(ROUTING_EXACTLY))
        AbstractApp.__init__(self, import_name, **kwargs)
