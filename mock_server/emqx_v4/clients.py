"""`/clients…` handlers: world in, EMQX 4.4 JSON out."""

from __future__ import annotations

import sys
from typing import Any

from starlette.responses import Response

from mqtt_api_kit.fixtures import Client, World
from mqtt_api_kit.fixtures.columns import Condition

from ..paths import path_value
from . import errors, serialize
from .filters import FILTER_PARAMS, client_conditions
from .query import Page


class ClientsApi:
    def __init__(self, world: World) -> None:
        self.world = world

    def _render(self, client: Client) -> dict[str, Any]:
        return serialize.client(client, self.world.sessions.subscription_count_of(client.clientid))

    def _list(self, node: str | None, params: dict[str, Any]) -> Response:
        page = Page.from_params(params)
        # Column masks and the page's window (fixtures/sessions.py `query`): the cost of the
        # answer, not of the table, with or without filters.
        conditions = client_conditions(params)
        rows, hasnext = page.cut(self.world.sessions.query(conditions, *page.window(), node))
        count = -1 if FILTER_PARAMS.intersection(params) else self.world.client_count(node)
        return errors.ok(data=[self._render(c) for c in rows], meta=page.meta(count, hasnext))

    def _lookup(self, clients: list[Client]) -> Response:
        return errors.ok(data=[self._render(c) for c in clients])

    async def list_clients(self, **params: Any) -> Response:
        return self._list(None, params)

    async def list_node_clients(self, node: str, **params: Any) -> Response:
        if self.world.node(node) is None:
            return errors.route_not_found()
        return self._list(node, params)

    async def get_client(self, clientid: str) -> Response:
        client = self.world.client(path_value(clientid))
        return self._lookup([client] if client else [])

    async def get_node_client(self, node: str, clientid: str) -> Response:
        if node == "all":  # what the 4.4 dashboard's search sends; see the spec's description
            return self._lookup([])
        if self.world.node(node) is None:
            return errors.route_not_found()
        client = self.world.client(path_value(clientid))
        return self._lookup([client] if client and client.node == node else [])

    async def get_clients_by_username(self, username: str) -> Response:
        name = path_value(username)
        wanted = [Condition("username", "=:=", name)]
        return self._lookup(self.world.sessions.query(wanted, 0, sys.maxsize))

    async def get_node_clients_by_username(self, node: str, username: str) -> Response:
        if self.world.node(node) is None:
            return errors.route_not_found()
        name = path_value(username)
        return self._lookup([c for c in self.world.clients(node) if c.username == name])

    async def kick_client(self, clientid: str) -> Response:
        # 4.3.9+ reports success for an unknown client too (emqx_cm change f5a2421f); the
        # kick publishes the will (emqx_channel:handle_call(kick, …)).
        self.world.kick(path_value(clientid))
        return errors.ok()

    async def get_client_acl_cache(self, clientid: str) -> Response:
        client = self.world.client(path_value(clientid))
        if client is None or not client.connected:
            return errors.error(errors.CLIENT_NOT_FOUND, "not_found")
        return errors.ok(data=[serialize.acl_cache_entry(e) for e in client.acl_cache])

    async def clean_client_acl_cache(self, clientid: str) -> Response:
        client = self.world.client(path_value(clientid))
        if client is None or not client.connected:
            return errors.error(errors.CLIENT_NOT_FOUND, "not_found")
        self.world.clear_acl_cache(client.clientid)
        return errors.ok()
