"""The CoAP gateway's clients as the gateway client list shows them, and a request sent to one
(emqx_coap_api.erl `request/2`, 5.8.1).

* A row is `format_channel_info/2` over a CoAP channel's info: `enrich_conninfo/2` sets
  `proto_name` CoAP, `proto_ver` "1", `clean_start` true, `expiry_interval` 0; the client info
  has the connection request's client id and user name (null without one) and no `keepalive`
  (so 0); the session's stats are emqx_coap_session:stats/1 (zeros, `infinity` maxima), its
  `created_at` the channel's start, as `connected_at` is.
* `request/2` reads the body in this order, and so fails in it: `content_type` and `timeout`
  without a default (the document requires them: the broker's handler crashes without),
  then the payload, base64-decoded for `application/octet-stream` (a payload that is not
  base64 crashes the handler: 500 INTERNAL_ERROR), then the channel: none is 404
  `{"code": "CLIENT_NOT_FOUND"}`. The device's answer (`fixtures.coap.exchange`) comes back as
  200 `{id, token, method, payload}` whatever its code (a 4.04 is `{error,not_found}`); no
  answer within `timeout` — the device never answers, or takes longer, or resets a request
  whose token is too long — is 504 `{"code": "CLIENT_NOT_RESPONSE"}`. The mock answers at
  once what the broker answers after waiting.
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from starlette.responses import Response

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.fixtures.coap import CoapChannel, CoapDevice

from ..paths import path_value
from . import errors, render
from .gateway_common import CHANNEL_STATS

Row = dict[str, Any]
_MAX_TIMEOUT_MS = 4_294_967_295  # emqx_schema ?MAX_INT_TIMEOUT_MS
_UNITS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}


def coap_row(channel: CoapChannel, device: CoapDevice) -> Row:
    return {
        "node": device.node,
        "clientid": channel.clientid,
        "username": device.username,
        "mountpoint": channel.mountpoint,
        "proto_name": "CoAP",
        "proto_ver": "1",
        "ip_address": device.ip_address,
        "port": device.port,
        "is_bridge": False,
        "connected_at": render.rfc3339_ms(channel.connected_at),
        "disconnected_at": None,
        "connected": True,
        "keepalive": 0,
        "clean_start": True,
        "expiry_interval": 0,
        "created_at": render.rfc3339_ms(channel.connected_at),
        "subscriptions_cnt": len(channel.subscriptions),
        **CHANNEL_STATS,
    }


def timeout_ms(value: Any) -> int | None:
    """emqx_schema:to_timeout_duration_ms/1: an integer or a duration, at most 2^32-1 ms."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        ms = value
    elif isinstance(value, str) and (found := re.fullmatch(r"(\d+)(ms|s|m|h|d)?", value)):
        ms = int(found.group(1)) * _UNITS[found.group(2) or "ms"]
    else:
        return None
    return ms if 0 <= ms <= _MAX_TIMEOUT_MS else None


def _payload(content_type: str, text: str) -> bytes | None:
    """parse_payload/2: base64:decode/1 for octet-stream (None: it would crash)."""
    if content_type != "application/octet-stream":
        return text.encode()
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        return None


def _shown(content_type: str, payload: bytes) -> str:
    """format_payload/2, by the request's content type; minirest's JSON encoder takes the
    bytes as UTF-8 (the mock replaces what is not)."""
    if content_type == "application/octet-stream":
        return base64.b64encode(payload).decode()
    return payload.decode("utf-8", errors="replace")


class CoapApi:
    def __init__(self, world: World) -> None:
        self.world = world

    async def send_coap_request(self, clientid: str, body: dict[str, Any]) -> Response:
        content_type = str(body["content_type"])
        wait = timeout_ms(body["timeout"])
        if wait is None:
            return errors.bad_request(  # do_to_timeout_duration/4's throw, as hocon reports it
                '{"kind":"validation_error","message":"timeout value too large (max: '
                f'{_MAX_TIMEOUT_MS} ms)","path":"timeout"}}'
            )
        payload = _payload(content_type, str(body.get("payload", "")))
        if payload is None:
            return errors.internal_error(
                "error, {badarg,payload}, [{base64,decode,1},{emqx_coap_api,request,2}]"
            )
        token = str(body.get("token", "")).encode()
        reply = self.world.gateways.coap_request(
            path_value(clientid), str(body.get("method", "get")), payload, content_type, token
        )
        if reply is None:
            return errors.ok({"code": "CLIENT_NOT_FOUND"}, 404)
        if reply.code is None or reply.rtt > wait:
            return errors.ok({"code": "CLIENT_NOT_RESPONSE"}, 504)
        return errors.ok(
            {
                "id": reply.id,
                "token": reply.token.decode(),
                "method": "{" + ",".join(reply.code) + "}",  # format_to_binary/1: ~p
                "payload": _shown(content_type, reply.payload),
            }
        )
