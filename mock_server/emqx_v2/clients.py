"""Clients, sessions, subscriptions and routes: world in, EMQ 2.3 JSON out.

2.3 reads node-local tables: `mqtt_client` holds connected clients only, `mqtt_local_session`
every session (offline persistent ones too), `mqtt_subproperty` the subscriptions. Per-node
reads of a node outside the cluster crash in the broker (404).
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from mqtt_api_kit.fixtures import Client, Node, World
from mqtt_api_kit.fixtures.columns import Condition

from ..paths import path_value
from . import errors, serialize
from .params import parse
from .query import Page


def running(world: World, name: str) -> Node | None:
    node = world.node(name)
    return node if node is not None and node.running else None


def key_of(value: str) -> str:
    return path_value(value)


_CONNECTED = Condition("conn_state", "=:=", "connected")


class ClientsApi:
    def __init__(self, world: World) -> None:
        self.world = world

    def _connected(self, node: str, clientid: str) -> list[Client]:
        """The connection of `clientid` on `node`, if it has one there."""
        client = self.world.client(clientid)
        return [client] if client is not None and client.connected and client.node == node else []

    async def list_node_clients(self, node: str, **params: Any) -> Response:
        if running(self.world, node) is None:
            return errors.crashed()
        page = Page.from_params(params)
        # column masks and the page's window (fixtures/sessions.py), not a walk of the node
        sessions = self.world.sessions
        rows = sessions.query([_CONNECTED], *page.window(), node)
        total = sessions.count_where([_CONNECTED], node)
        return errors.ok(page.result(total, [serialize.client(c) for c in rows]))

    async def get_node_client(self, node: str, clientid: str) -> Response:
        if running(self.world, node) is None:
            return errors.crashed()
        rows = self._connected(node, key_of(clientid))
        return errors.ok({"objects": [serialize.client(c) for c in rows]})

    async def get_client(self, clientid: str) -> Response:
        key = key_of(clientid)
        rows = [c for n in self.world.running_nodes() for c in self._connected(n.name, key)]
        return errors.ok({"objects": [serialize.client(c) for c in rows]})

    async def kick_client(self, clientid: str) -> Response:
        client = self.world.client(key_of(clientid))
        if client is None or running(self.world, client.node) is None:
            return errors.error(errors.CLIENT_OFFLINE)
        if not self.world.disconnect(client.clientid):
            return errors.error(errors.CLIENT_OFFLINE)
        return errors.ok()

    async def clean_acl_cache(self, clientid: str, body: Any) -> Response:
        body = parse(body, {"topic": str})
        if isinstance(body, Response):
            return body
        tokens = [t for t in key_of(clientid).split("/") if t]  # string:tokens(Key, "/")
        if not tokens:
            return errors.crashed()  # [Key | _] = [] is a badmatch
        client = self.world.client(tokens[0])
        if client is None or running(self.world, client.node) is None:
            return errors.error(errors.CLIENT_OFFLINE)
        if not self.world.clear_acl_cache(client.clientid, body["topic"]):
            return errors.error(errors.CLIENT_OFFLINE)
        return errors.ok()


class SessionsApi:
    def __init__(self, world: World) -> None:
        self.world = world

    def _render(self, client: Client) -> dict[str, Any]:
        return serialize.session(client, self.world.sessions.subscription_count_of(client.clientid))

    async def list_node_sessions(self, node: str, **params: Any) -> Response:
        if running(self.world, node) is None:
            return errors.crashed()
        page = Page.from_params(params)
        rows = self.world.sessions.client_slice(*page.window(), node)
        total = self.world.client_count(node)
        return errors.ok(page.result(total, [self._render(c) for c in rows]))

    async def get_node_session(self, node: str, clientid: str) -> Response:
        if running(self.world, node) is None:
            return errors.crashed()
        client = self.world.client(key_of(clientid))
        rows = [client] if client is not None and client.node == node else []
        return errors.ok({"objects": [self._render(c) for c in rows]})

    async def get_session(self, clientid: str) -> Response:
        client = self.world.client(key_of(clientid))
        rows = [client] if client is not None and running(self.world, client.node) else []
        return errors.ok({"objects": [self._render(c) for c in rows]})


class SubscriptionsApi:
    def __init__(self, world: World) -> None:
        self.world = world

    def _lookup(self, node: str, key: str) -> list[dict[str, Any]]:
        """By subscriber first; a key with no subscriptions is then taken as a topic."""
        owner = self.world.client(key)
        subs = list(self.world.subscriptions_of(key)) if owner and owner.node == node else []
        if not subs:
            subs = [s for _, s in self.world.subscriptions(node) if s.topic == key]
        return [serialize.subscription(s) for s in subs]

    async def list_node_subscriptions(self, node: str, **params: Any) -> Response:
        if running(self.world, node) is None:
            return errors.crashed()
        page = Page.from_params(params)
        sessions = self.world.sessions  # the table's window, by cumulative counts
        rows = [s for _, s in sessions.subscription_slice(*page.window(), node)]
        total = sessions.subscription_count(node)
        return errors.ok(page.result(total, [serialize.subscription(s) for s in rows]))

    async def get_node_subscriptions(self, node: str, clientid: str) -> Response:
        if running(self.world, node) is None:
            return errors.crashed()
        return errors.ok({"objects": self._lookup(node, key_of(clientid))})

    async def get_subscriptions(self, clientid: str) -> Response:
        key = key_of(clientid)
        rows = [r for n in self.world.running_nodes() for r in self._lookup(n.name, key)]
        return errors.ok({"objects": rows})


class RoutesApi:
    def __init__(self, world: World) -> None:
        self.world = world

    async def list_routes(self, **params: Any) -> Response:
        page = Page.from_params(params)
        sessions = self.world.sessions  # a window of the route table, not all of it
        rows = [serialize.route(t, n) for t, n in sessions.route_slice(*page.window())]
        return errors.ok(page.result(sessions.route_count(), rows))

    async def get_routes(self, topic: str) -> Response:
        key = key_of(topic)
        rows = [serialize.route(t, n) for t, n in self.world.sessions.routes_of(key)]
        return errors.ok({"objects": rows})
