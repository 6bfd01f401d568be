"""What every `/gateways…` handler shares (emqx_gateway_http.erl, 5.8.1): the gateway lookup
of `with_gateway/2`, listener ids, and `return_http_error/2`'s answers.

`return_http_error(Code, Msg)` answers `{Code, codestr(Code), Msg}`: 400 `BAD_REQUEST`, 404
`RESOURCE_NOT_FOUND`, 500 `UNKNOWN_ERROR`. `with_gateway/2` answers 404 `Gateway not loaded`
for a gateway `emqx_gateway:lookup/1` does not know.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.fixtures.gateways import LoadedGateway

from . import errors, render

# A gateway channel's queue and process figures as emqx_gateway_api_clients:format_channel_info
# shows them for a channel with no MQTT session behind it (LwM2M, CoAP): limits infinite,
# counts zero.
_INFINITE = ("subscriptions_max", "inflight_max", "mqueue_max", "awaiting_rel_max")
_ZERO = (
    "inflight_cnt", "mqueue_len", "mqueue_dropped", "awaiting_rel_cnt", "recv_oct", "recv_cnt",
    "recv_pkt", "recv_msg", "send_oct", "send_cnt", "send_pkt", "send_msg", "mailbox_len",
    "heap_size", "reductions",
)  # fmt: skip
CHANNEL_STATS: dict[str, Any] = {**dict.fromkeys(_INFINITE, "infinity"), **dict.fromkeys(_ZERO, 0)}

_CODES = {400: "BAD_REQUEST", 404: "RESOURCE_NOT_FOUND", 500: "UNKNOWN_ERROR"}


def http_error(status: int, message: str) -> Response:
    """emqx_gateway_http:return_http_error/2."""
    return errors.error(status, _CODES[status], message)


def not_loaded() -> Response:
    return http_error(404, "Gateway not loaded")


def listener_id(gateway: str, type_: str, name: str) -> str:
    """emqx_gateway_utils:listener_id/3."""
    return f"{gateway}:{type_}:{name}"


def parse_listener_id(raw: str) -> tuple[str, str, str] | None:
    """emqx_gateway_utils:parse_listener_id/1: exactly three `:`-separated parts."""
    parts = raw.split(":")
    return (parts[0], parts[1], parts[2]) if len(parts) == 3 else None


def bad_listener_id(raw: str) -> Response:
    """with_gateway/2 catching `{invalid_listener_id, Id}`."""
    return http_error(404, f"Listener not found: {raw}")


def chain_name(gateway: str) -> str:
    """emqx_gateway_utils:global_chain/1 (exproto has no clause: `unknown:global`)."""
    return {
        "mqttsn": "mqtt-sn:global",
        "coap": "coap:global",
        "lwm2m": "lwm2m:global",
        "stomp": "stomp:global",
    }.get(gateway, "unknown:global")


def stamps(gw: LoadedGateway) -> dict[str, Any]:
    """unix_ts_to_rfc3339([created_at, started_at, stopped_at], …): the ones set."""
    shown: dict[str, Any] = {"name": gw.name, "status": gw.status}
    for key in ("created_at", "started_at", "stopped_at"):
        value = getattr(gw, key)
        if value is not None:
            shown[key] = render.rfc3339_ms(value)
    return shown


def current_connections(world: World, gateway: str, node: str | None = None) -> int:
    """The size of the gateway's channel table (`emqx_gateway_cm:tabname(info, …)`), of one
    node or of all: the world's gateway channels are its LwM2M devices and its connected
    CoAP devices."""
    if gateway == "lwm2m":
        return sum(1 for e in world.gateways.lwm2m.values() if node is None or e.node == node)
    if gateway == "coap":
        devices = world.gateways.coap_devices
        return sum(1 for c in world.gateways.coap if node is None or devices[c].node == node)
    return 0
