"""`GET /listeners`, `/listeners_status`, `/listeners/{id}`: emqx_mgmt_api_listeners.erl (5.8.1)
over the MQTT listeners of the world's nodes (`tcp`, `ssl`, `ws`, `wss`; the HTTP listeners
are not MQTT listeners in 5.x).

`list_listeners/0` asks every running node, the answering node first; `format_status/4`
folds the nodes into one row per listener id (or per type), each node's status prepended to
`node_status` (so the answering node comes last), `running` `inconsistent` when nodes
disagree, connections summed. Rows come in id (type) order, as `maps:to_list/1` gives them.
A listener's configuration is the raw tree `emqx_listeners:list_raw/0` holds, with its
schema defaults (emqx_schema.erl `fields("mqtt_tcp_listener")`…); the world keeps `bind`,
`acceptors` and `max_connections` of each, the rest are the defaults.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from starlette.responses import Response

from mqtt_api_kit.fixtures import Listener, World
from mqtt_api_kit.fixtures.gateway_conf import TCP_OPTIONS

from ..paths import path_value
from . import errors

TYPES = ("tcp", "ssl", "ws", "wss", "quic")
NOT_FOUND = ("BAD_LISTENER_ID", "Listener id not found")


def _defaults(type_: str) -> dict[str, Any]:
    """emqx_schema.erl's listener defaults for `type_` (the common ones and the type's)."""
    if type_ == "quic":  # fields("mqtt_quic_listener"): no TCP options, access rules, proxy
        return {
            "enable": True,
            "enable_authn": True,
            "mountpoint": "",
            "zone": "default",
            "ciphers": ["TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256",
                        "TLS_CHACHA20_POLY1305_SHA256"],
            "ssl_options": {
                "cacertfile": "${EMQX_ETC_DIR}/certs/cacert.pem",
                "certfile": "${EMQX_ETC_DIR}/certs/cert.pem",
                "keyfile": "${EMQX_ETC_DIR}/certs/key.pem",
                "verify": "verify_none",
            },
        }  # fmt: skip
    tree: dict[str, Any] = {
        "enable": True,
        "enable_authn": True,
        "mountpoint": "",
        "zone": "default",
        "proxy_protocol": False,
        "proxy_protocol_timeout": "3s",
        "access_rules": ["allow all"],
        "tcp_options": dict(TCP_OPTIONS),
    }
    if type_ in ("ssl", "wss"):
        tree["ssl_options"] = {
            "cacertfile": "${EMQX_ETC_DIR}/certs/cacert.pem",
            "certfile": "${EMQX_ETC_DIR}/certs/cert.pem",
            "keyfile": "${EMQX_ETC_DIR}/certs/key.pem",
            "verify": "verify_none",
            "fail_if_no_peer_cert": False,
            "versions": ["tlsv1.3", "tlsv1.2"],
        }
    if type_ in ("ws", "wss"):
        tree["websocket"] = {"mqtt_path": "/mqtt", "mqtt_piggyback": "multiple"}
    return tree


def _bind(raw: str) -> str:
    """emqx_listeners:format_bind/1: a bare port is `:port`… shown as `0.0.0.0:port`."""
    return raw if ":" in raw else f"0.0.0.0:{raw}"


def merged(base: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    """emqx_utils_maps:deep_merge/2."""
    tree = dict(base)
    for key, value in given.items():
        if isinstance(value, dict) and isinstance(tree.get(key), dict):
            tree[key] = merged(tree[key], value)
        else:
            tree[key] = value
    return tree


def raw_config(type_: str, listener: Listener) -> dict[str, Any]:
    """The raw tree `emqx_conf:get_raw([listeners, Type, Name])` holds, defaults filled in."""
    return {
        **merged(_defaults(type_), listener.options),
        "enable": listener.enabled,
        "acceptors": listener.acceptors,
        "max_connections": "infinity"
        if listener.options.get("max_connections") == "infinity"
        else listener.max_conns,
        "bind": _bind(listener.bind),
    }


def listener_type(listener: Listener) -> str | None:
    type_ = listener.protocol.removeprefix("mqtt:")
    return type_ if listener.protocol.startswith("mqtt:") and type_ in TYPES else None


def per_node(world: World) -> Iterator[tuple[str, str, str, Listener]]:
    """(node, id, type, listener) for every running node's MQTT listeners."""
    for node in world.running_nodes():
        for listener in node.listeners:
            type_ = listener_type(listener)
            if type_ is not None:
                yield node.name, listener.name, type_, listener


def status(world: World, node: str, listener: Listener) -> dict[str, Any]:
    """emqx_listeners:format_raw_listeners/1: a stopped listener has no connections."""
    running = listener.enabled
    return {
        "running": running,
        "max_connections": listener.max_conns,
        "current_connections": world.sessions.connections(node, listener.name) if running else 0,
    }


def find(world: World, wanted: str) -> dict[str, Any] | None:
    """find_listeners_by_id/1: the answering node's raw configuration of `wanted`, with
    `running` and `current_connections` (emqx_listeners:format_raw_listeners/1)."""
    for node, id_, type_, listener in per_node(world):
        if id_ == wanted:
            now = status(world, node, listener)
            return {
                **raw_config(type_, listener),
                "running": now["running"],
                "current_connections": now["current_connections"],
                "id": id_,
                "type": type_,
            }
    return None


class ListenersApi:
    def __init__(self, world: World) -> None:
        self.world = world

    def _folded(self, key: str, type_filter: str | None = None) -> list[dict[str, Any]]:
        rows: dict[str, dict[str, Any]] = {}
        for node, id_, type_, listener in per_node(self.world):
            if type_filter is not None and type_ != type_filter:
                continue
            now = status(self.world, node, listener)
            group = id_ if key == "id" else type_
            row = rows.get(group)
            if row is None:
                rows[group] = {
                    "name": id_.split(":", 1)[1],
                    "type": type_,
                    "enable": listener.enabled,
                    "ids": [id_],
                    "acceptors": listener.acceptors,
                    "bind": _bind(listener.bind),
                    "status": dict(now),
                    "node_status": [{"node": node, "status": now}],
                }
                continue
            before = row["status"]
            row["ids"] = sorted({*row["ids"], id_})
            row["status"] = {
                "running": before["running"]
                if before["running"] == now["running"]
                else "inconsistent",
                "max_connections": before["max_connections"] + now["max_connections"],
                "current_connections": before["current_connections"] + now["current_connections"],
            }
            row["node_status"] = [{"node": node, "status": now}, *row["node_status"]]
        return [rows[k] for k in sorted(rows)]

    async def list_listeners(self, type: str | None = None, **_: Any) -> Response:
        out = []
        for row in self._folded("id", type):
            shown = {k: v for k, v in row.items() if k != "ids"}
            out.append({**shown, "number": len(row["node_status"]), "id": row["ids"][0]})
        return errors.ok(out)

    async def list_listeners_status(self) -> Response:
        """listener_type_status/2: one row per type, without bind, acceptors and name."""
        rows = self._folded("type")
        return errors.ok(
            [{k: v for k, v in r.items() if k not in ("bind", "acceptors", "name")} for r in rows]
        )

    async def get_listener(self, id: str) -> Response:
        """crud_listeners_by_id/2 (get)."""
        found = find(self.world, path_value(id))
        return errors.ok(found) if found is not None else errors.error(404, *NOT_FOUND)
