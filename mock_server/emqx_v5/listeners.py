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

from ..paths import path_value
from . import errors

TYPES = ("tcp", "ssl", "ws", "wss")
_NOT_FOUND = ("BAD_LISTENER_ID", "Listener id not found")


def _defaults(type_: str) -> dict[str, Any]:
    """emqx_schema.erl's listener defaults for `type_` (the common ones and the type's)."""
    tree: dict[str, Any] = {
        "enable": True,
        "enable_authn": True,
        "mountpoint": "",
        "zone": "default",
        "proxy_protocol": False,
        "proxy_protocol_timeout": "3s",
        "access_rules": ["allow all"],
        "tcp_options": {
            "active_n": 100,
            "backlog": 1024,
            "buffer": "4KB",
            "high_watermark": "1MB",
            "nodelay": True,
            "reuseaddr": True,
            "send_timeout": "15s",
            "send_timeout_close": True,
        },
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


class ListenersApi:
    def __init__(self, world: World) -> None:
        self.world = world

    def _per_node(self) -> Iterator[tuple[str, str, str, Listener]]:
        """(node, id, type, listener) for every running node's MQTT listeners."""
        for node in self.world.running_nodes():
            for listener in node.listeners:
                type_ = listener.protocol.removeprefix("mqtt:")
                if listener.protocol.startswith("mqtt:") and type_ in TYPES:
                    yield node.name, listener.name, type_, listener

    def _status(self, node: str, listener: Listener) -> dict[str, Any]:
        return {
            "running": True,
            "max_connections": listener.max_conns,
            "current_connections": self.world.sessions.connections(node, listener.name),
        }

    def _folded(self, key: str, type_filter: str | None = None) -> list[dict[str, Any]]:
        rows: dict[str, dict[str, Any]] = {}
        for node, id_, type_, listener in self._per_node():
            if type_filter is not None and type_ != type_filter:
                continue
            status = self._status(node, listener)
            group = id_ if key == "id" else type_
            row = rows.get(group)
            if row is None:
                rows[group] = {
                    "name": id_.split(":", 1)[1],
                    "type": type_,
                    "enable": True,
                    "ids": [id_],
                    "acceptors": listener.acceptors,
                    "bind": _bind(listener.bind),
                    "status": dict(status),
                    "node_status": [{"node": node, "status": status}],
                }
                continue
            before = row["status"]
            row["ids"] = sorted({*row["ids"], id_})
            row["status"] = {
                "running": before["running"]
                if before["running"] == status["running"]
                else "inconsistent",
                "max_connections": before["max_connections"] + status["max_connections"],
                "current_connections": before["current_connections"]
                + status["current_connections"],
            }
            row["node_status"] = [{"node": node, "status": status}, *row["node_status"]]
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
        """crud_listeners_by_id/2 (get): the raw configuration of the answering node's."""
        wanted = path_value(id)
        for _node, id_, type_, listener in self._per_node():
            if id_ == wanted:
                return errors.ok(
                    {
                        **_defaults(type_),
                        "acceptors": listener.acceptors,
                        "max_connections": listener.max_conns,
                        "bind": _bind(listener.bind),
                        "id": id_,
                        "type": type_,
                    }
                )
        return errors.error(404, *_NOT_FOUND)
