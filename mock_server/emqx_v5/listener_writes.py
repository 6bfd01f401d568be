"""`POST /listeners`, `PUT`/`DELETE /listeners/{id}`, `POST /listeners/{id}/start|stop|restart`:
emqx_mgmt_api_listeners.erl (5.8.1) over the world's listeners.

A listener lives in the cluster-wide configuration (emqx_mgmt_listeners_conf.erl updates
`[listeners, Type, Name]` with `override_to => cluster`), so every write reaches every node of
the world (`Cluster.add_listener`…), and the 4.x APIs see it: a stopped or deleted listener is
gone from 4.x's list (emqx_mgmt:list_listeners/0 lists the running esockd/ranch listeners).
Stopping or deleting a listener closes its connections (emqx_listeners:stop_listener/3): their
clients are disconnected. `restart` enables the listener and keeps what runs
(update_listener/4 with an unchanged configuration sets the same options).
"""

from __future__ import annotations

import re
from typing import Any

from starlette.responses import Response

from mqtt_api_kit.fixtures import Listener, World

from ..http import bare_response
from ..paths import path_value
from . import errors
from .listeners import NOT_FOUND, find, listener_type, merged, raw_config

# emqx_listeners.erl ?TYPES_STRING; hocon's map-key rule for the name (hocon_schema).
_TYPES = ("tcp", "ssl", "ws", "wss", "quic")
_NAME = re.compile(r"^[A-Za-z0-9]+[A-Za-z0-9_-]*$")
_VOLATILE = ("running", "current_connections")  # parse_listener_conf/2 drops them
_OWN = ("bind", "acceptors", "max_connections", "enable")


def _port(bind: str) -> int:
    return int(bind.rsplit(":", 1)[-1])


def _bind_text(value: Any) -> str:
    """An integer port is `:Port` (emqx_listeners:format_bind/1)."""
    return f":{value}" if isinstance(value, int) else str(value)


class ListenerWritesApi:
    def __init__(self, world: World) -> None:
        self.world = world

    def _current(self, id_: str) -> tuple[str, Listener] | None:
        for node in self.world.nodes:
            for item in node.listeners:
                type_ = listener_type(item)
                if type_ is not None and item.name == id_:
                    return type_, item
        return None

    def _close(self, name: str) -> None:
        """emqx_listeners:stop_listener/3 closes the listener's connections."""
        for client in list(self.world.clients()):
            if client.connected and client.listener == name:
                self.world.disconnect(client.clientid)

    def _port_taken(self, name: str, type_: str, bind: str) -> bool:
        """Another running listener of the same transport holds the port (eaddrinuse)."""
        udp = type_ == "quic"
        port = _port(bind)
        for node in self.world.running_nodes():
            for item in node.listeners:
                other = listener_type(item) or "tcp"
                if item.name == name or not item.enabled or (other == "quic") != udp:
                    continue
                if _port(item.bind) == port:
                    return True
        return False

    def _answer(self, id_: str) -> Response:
        found = find(self.world, id_)
        return errors.ok(found) if found is not None else errors.error(404, *NOT_FOUND)

    def _store(self, name: str, type_: str, tree: dict[str, Any], create: bool) -> str | None:
        """Start or change the listener from its whole raw tree; the refusal's reason (the
        err_msg/1 of emqx_listeners' `{failed_to_start, Msg}`) or None."""
        bind = _bind_text(tree["bind"])
        enabled = bool(tree.get("enable", True))
        if enabled and self._port_taken(name, type_, bind):
            where = bind if ":" in bind else f":{bind}"
            return f'{{failed_to_start,"{name}({where}) : eaddrinuse"}}'
        options = {k: v for k, v in tree.items() if k not in _OWN}
        if tree.get("max_connections", "infinity") == "infinity":
            options["max_connections"] = "infinity"  # kept as written (ensure_max_conns/1)
        if create:
            acceptors = int(tree.get("acceptors", 16))
            max_conns = tree.get("max_connections", "infinity")
            item = Listener(
                name, f"mqtt:{type_}", bind, acceptors, _conns(max_conns), {}, enabled, options
            )
            if not self.world.cluster.add_listener(item):
                return "already_exist"
            return None
        self.world.cluster.change_listener(
            name,
            bind=bind,
            acceptors=int(tree["acceptors"]),
            max_conns=_conns(tree["max_connections"]),
            enabled=enabled,
            options=options,
        )
        return None

    async def create_listener(self, body: dict[str, Any]) -> Response:
        """list_listeners(post, …) → create_listener(name, Body)."""
        given = {k: v for k, v in body.items() if k not in _VOLATILE}
        type_, name = given.pop("type"), given.pop("name")
        if not _NAME.match(name):
            return errors.bad_request(f"invalid_map_key: {name}")
        id_ = f"{type_}:{name}"
        if self._current(id_) is not None:
            return errors.bad_request("Already Exist", "BAD_LISTENER_ID")
        refused = self._store(id_, type_, given, create=True)
        if refused == "already_exist":
            return errors.bad_request("Already Exist", "BAD_LISTENER_ID")
        if refused is not None:
            return errors.bad_request(refused)
        return self._answer(id_)

    async def update_listener(self, id: str, body: dict[str, Any]) -> Response:
        """crud_listeners_by_id(put, …): the body deep-merged over the stored tree."""
        wanted = path_value(id)
        given = {k: v for k, v in body.items() if k not in _VOLATILE}
        type_, body_id = given.pop("type"), given.pop("id", None)
        if body_id is None:
            return errors.bad_request("listener_config_invalid")
        if body_id.split(":", 1)[0] != type_:
            return errors.bad_request("listener_type_inconsistent")
        if body_id != wanted:
            return errors.bad_request("Path and body's listener id not match", "BAD_LISTENER_ID")
        current = self._current(wanted)
        if current is None:
            return errors.error(404, *NOT_FOUND)
        stored_type, item = current
        tree = merged(raw_config(stored_type, item), given)
        if item.enabled and tree.get("enable", True) and stored_type in ("tcp", "ssl"):
            if _bind_text(tree["bind"]) != raw_config(stored_type, item)["bind"]:
                # do_update_listener/4: esockd cannot move a running listener to a new bind
                return errors.bad_request("not_supported")
        refused = self._store(wanted, stored_type, tree, create=False)
        if refused is not None:
            return errors.bad_request(refused)
        if not tree.get("enable", True):
            self._close(wanted)
        return self._answer(wanted)

    async def delete_listener(self, id: str) -> Response:
        """crud_listeners_by_id(delete, …): emqx_conf:tombstone/2 on every node."""
        wanted = path_value(id)
        if self._current(wanted) is None:
            return errors.error(404, *NOT_FOUND)
        self._close(wanted)
        self.world.cluster.remove_listener(wanted)
        return errors.no_content()

    async def _action(self, id: str, enable: bool) -> Response:
        """action_listeners_by_id/2: `enable` set, and the listener started or stopped."""
        wanted = path_value(id)
        current = self._current(wanted)
        if current is None:
            return errors.error(404, *NOT_FOUND)
        type_, item = current
        if enable and not item.enabled and self._port_taken(wanted, type_, item.bind):
            return errors.bad_request(f'{{failed_to_start,"{wanted}({item.bind}) : eaddrinuse"}}')
        if not enable:
            self._close(wanted)
        self.world.cluster.change_listener(wanted, enabled=enable)
        return bare_response(b"", 200)  # minirest's reply to `{200}`: no body

    async def start_listener(self, id: str) -> Response:
        return await self._action(id, True)

    async def stop_listener(self, id: str) -> Response:
        return await self._action(id, False)

    async def restart_listener(self, id: str) -> Response:
        return await self._action(id, True)


def _conns(value: Any) -> int:
    """`infinity` is the largest count the world keeps (emqx_listeners:ensure_max_conns/1)."""
    return 16_777_216 if value == "infinity" else int(value)
