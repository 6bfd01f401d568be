"""Per-connection settings: ACL-cache drains, rate limits, routing quota, keepalive.

Rate limits (`conn_bytes_in`, `conn_messages_in`) and the quota (`conn_messages_routing`) are
`"<limit>,<duration>"` texts (`"100KB, 1s"`). A request carrying none of its keys answers
`{"code":0}` without looking the client up; otherwise a client without a live connection is
`{"code":112,"message":"not_found"}`.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.responses import Response

from mqtt_api_kit.fixtures import World

from ..paths import path_value
from . import errors

RATELIMIT_KEYS = ("conn_bytes_in", "conn_messages_in")
QUOTA_KEYS = ("conn_messages_routing",)
LIMIT_TEXT = re.compile(r"^\s*[0-9]+\s*(KB|MB|GB)?\s*,\s*[0-9]+\s*(ms|s|m|h|d|w)\s*$")
KEEPALIVE_RANGE = "mqtt3.1.1 specification: keepalive must between 0~65535"


class SessionsApi:
    def __init__(self, world: World) -> None:
        self.world = world

    async def drain_acl_cache(self) -> Response:
        self.world.drain_acl_cache()
        return errors.ok()

    async def drain_node_acl_cache(self, node: str) -> Response:
        if self.world.node(node) is None:
            return errors.route_not_found()
        self.world.drain_acl_cache(node)
        return errors.ok()

    def _set(self, clientid: str, body: Any, keys: tuple[str, ...]) -> Response:
        # Any JSON is read; only an object can hold the keys (an array or a string has none).
        fields = body if isinstance(body, dict) else {}
        values = {k: v for k, v in fields.items() if k in keys}
        if not values:
            return errors.ok()
        if not all(isinstance(v, str) and LIMIT_TEXT.match(v) for v in values.values()):
            return errors.error(errors.BAD_PARAMETER, "bad_params")  # the broker crashes (500)
        if not self.world.set_limits(path_value(clientid), values):
            return errors.error(errors.CLIENT_NOT_FOUND, "not_found")
        return errors.ok()

    def _clear(self, clientid: str, keys: tuple[str, ...]) -> Response:
        if not self.world.set_limits(path_value(clientid), {}, clear=keys):
            return errors.error(errors.CLIENT_NOT_FOUND, "not_found")
        return errors.ok()

    async def set_client_ratelimit(self, clientid: str, body: Any = None) -> Response:
        return self._set(clientid, body, RATELIMIT_KEYS)

    async def clear_client_ratelimit(self, clientid: str) -> Response:
        return self._clear(clientid, RATELIMIT_KEYS)

    async def set_client_quota(self, clientid: str, body: Any = None) -> Response:
        return self._set(clientid, body, QUOTA_KEYS)

    async def clear_client_quota(self, clientid: str) -> Response:
        return self._clear(clientid, QUOTA_KEYS)

    async def set_client_keepalive(
        self, clientid: str, interval: Any = None, body: Any = None
    ) -> Response:
        return keepalive(self.world, path_value(clientid), interval, body)


def _interval(value: Any) -> int | None:
    """emqx_mgmt_api_clients:to_integer/1: an integer, or text binary_to_integer/1 reads
    (an optional sign and digits); anything else crashes the handler (None)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and re.fullmatch(r"[+-]?[0-9]+", value):
        return int(value)
    return None


def keepalive_seconds(value: Any) -> int | Response:
    """The interval in seconds, or the refusal: 107 without `interval`, 102 outside 0..65535 —
    checked before the client lookup."""
    if value is None:
        return errors.error(errors.MISSING_PARAMETER, "params_not_found")
    seconds = _interval(value)
    if seconds is None:
        return errors.error(errors.BAD_PARAMETER, "bad_params")  # the broker crashes (500)
    if not 0 <= seconds <= 65535:
        return errors.error(errors.ERROR_UNKNOWN, KEEPALIVE_RANGE)
    return seconds


def keepalive_refusal(value: Any) -> Response | None:
    """The refusal `keepalive_seconds` gives, or None when the interval is acceptable."""
    seconds = keepalive_seconds(value)
    return seconds if isinstance(seconds, Response) else None


def keepalive(world: World, clientid: str, query: Any, body: Any) -> Response:
    """`interval` from the query string first, then the body."""
    # minirest puts the query's pairs before the body's; a body that is not an object has
    # no pairs proplists can read (an array's elements are skipped)
    value = query if query is not None else body.get("interval") if isinstance(body, dict) else None
    seconds = keepalive_seconds(value)
    if isinstance(seconds, Response):
        return seconds
    if not world.set_keepalive(clientid, seconds):
        return errors.error(errors.CLIENT_NOT_FOUND, "not_found")
    return errors.ok()
