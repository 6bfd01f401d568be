"""`/mqtt/clients…` handlers: world in, HiveMQ 4.x JSON out."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.responses import Response

from mqtt_api_kit.fixtures import Client, World

from ..http import json_response
from ..paths import path_value
from . import errors, serialize
from .cursor import Cursors
from .paging import CLIENT_LIST, walk_era


class MqttClientsApi:
    def __init__(self, world: World, cursors: Cursors) -> None:
        self.world = world
        self.cursors = cursors

    def _ids(self) -> Sequence[str]:
        # the list as it stands, kept by a walk's cursors without copying a million ids
        return self.world.sessions.id_snapshot()

    def _client(self, clientid: str) -> Client | None:
        return self.world.client(path_value(clientid))

    async def get_all_mqtt_clients(
        self, limit: int = CLIENT_LIST.default_limit, cursor: str | None = None, **_: object
    ) -> Response:
        page = CLIENT_LIST.page(self.cursors, walk_era(self.world), self._ids, limit, cursor)
        if isinstance(page, Response):
            return page
        return page.answer(lambda cid: {"id": cid})

    async def get_mqtt_client_details(self, clientId: str) -> Response:
        client = self._client(clientId)
        if client is None:
            return errors.not_found(path_value(clientId))
        return json_response(serialize.client_details(client, self.world.node(client.node)))

    async def get_mqtt_client_connection_state(self, clientId: str) -> Response:
        client = self._client(clientId)
        if client is None:
            return errors.not_found(path_value(clientId))
        return json_response(serialize.connection_state(client))

    async def get_subscriptions_for_mqtt_client(self, clientId: str) -> Response:
        client = self._client(clientId)
        if client is None:
            return errors.not_found(path_value(clientId))
        subs = self.world.subscriptions_of(client.clientid)
        return json_response({"items": [serialize.subscription(s) for s in subs]})

    async def disconnect_client(
        self,
        clientId: str,
        preventWillMessage: bool = False,
        **_: object,
    ) -> Response:
        clientid = path_value(clientId)
        if not self.world.disconnect(clientid, publish_will=not preventWillMessage):
            return errors.not_found(clientid)
        return _no_content()

    async def invalidate_client_session(
        self,
        clientId: str,
        preventWillMessage: bool = False,
        **_: object,
    ) -> Response:
        clientid = path_value(clientId)
        client = self.world.client(clientid)
        if client is None:
            return errors.not_found(clientid)
        if client.connected:
            self.world.disconnect(clientid, publish_will=not preventWillMessage)
        self.world.remove_client(clientid)
        return _no_content()


def _no_content() -> Response:
    """204 with an empty body but `Content-Type: application/json`: HiveMQ's own document
    declares its 204 answers with that media type (JAX-RS `@Produces`), and clients generated
    from it expect the header."""
    return Response(b"", 204, media_type="application/json")
