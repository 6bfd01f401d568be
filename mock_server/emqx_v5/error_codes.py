"""`/error_codes…`: emqx_dashboard_error_code_api.erl (5.8.1) — the broker's table of API
error codes (`?ERROR_CODES` of apps/emqx/include/http_api.hrl), open to anyone
(`security => []`).

The table is a constant of the broker's build, not state of the cluster, so it lives here.
`{code}` is an enum of the table's names in the schema: any other name fails the schema
check (400 BAD_REQUEST) before `error_code/2`'s own 404 could answer.
"""

from __future__ import annotations

from starlette.responses import Response

from ..paths import path_value
from . import errors

# ?ERROR_CODES, in its order (emqx_dashboard_error_code:list/0 keeps it).
ERROR_CODES: tuple[tuple[str, str], ...] = (
    ("BAD_USERNAME_OR_PWD", "Bad username or password"),
    ("BAD_API_KEY_OR_SECRET", "Bad API key or secret"),
    ("BAD_REQUEST", "Request parameters are invalid"),
    ("NOT_MATCH", "Conditions are not matched"),
    ("ALREADY_EXISTS", "Resource already existed"),
    ("BAD_CONFIG_SCHEMA", "Configuration data is invalid"),
    ("BAD_LISTENER_ID", "Bad listener ID"),
    ("BAD_NODE_NAME", "Bad Node Name"),
    ("BAD_RPC", "RPC Failed. Check the cluster status and the requested node status"),
    ("BAD_TOPIC", "Topic syntax error, Topic needs to comply with the MQTT protocol standard"),
    ("EXCEED_LIMIT", "Create resources that exceed the maximum limit or minimum limit"),
    ("INVALID_PARAMETER", "Request parameters is invalid and exceeds the boundary value"),
    ("CONFLICT", "Conflicting request resources"),
    ("NO_DEFAULT_VALUE", "Request parameters do not use default values"),
    ("DEPENDENCY_EXISTS", "Resource is dependent by another resource"),
    ("MESSAGE_ID_SCHEMA_ERROR", "Message ID parsing error"),
    ("INVALID_ID", "Bad ID schema"),
    ("MESSAGE_ID_NOT_FOUND", "Message ID does not exist"),
    ("NOT_FOUND", "Resource was not found or does not exist"),
    ("CLIENTID_NOT_FOUND", "Client ID was not found or does not exist"),
    ("CLIENT_NOT_FOUND", "Client was not found or does not exist(usually not a MQTT client)"),
    ("RESOURCE_NOT_FOUND", "Resource not found"),
    ("TOPIC_NOT_FOUND", "Topic not found"),
    ("USER_NOT_FOUND", "User not found"),
    ("INTERNAL_ERROR", "Server inter error"),
    ("SERVICE_UNAVAILABLE", "Service unavailable"),
    ("SOURCE_ERROR", "Source error"),
    ("UPDATE_FAILED", "Update failed"),
    ("REST_FAILED", "Reset source or config failed"),
    ("CLIENT_NOT_RESPONSE", "Client not responding"),
    ("UNSUPPORTED_MEDIA_TYPE", "Unsupported media type"),
)
_BY_NAME = dict(ERROR_CODES)


class ErrorCodesApi:
    async def list_error_codes(self) -> Response:
        return errors.ok([{"code": c, "description": d} for c, d in ERROR_CODES])

    async def get_error_code(self, code: str) -> Response:
        name = path_value(code)
        description = _BY_NAME.get(name)
        if description is None:  # error_code/2: `~p` of the atom (quoted when it must be)
            return errors.not_found(f"Code name {name} not found")
        return errors.ok({"code": name, "description": description})
