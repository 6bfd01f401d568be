"""`/data-hub/behavior-validation/states/{clientId}` and `/data-hub/management/start-trial`."""

from __future__ import annotations

from starlette.responses import Response

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.fixtures.datahub_model import DataHubError

from ..http import json_response
from ..paths import path_value
from . import errors, serialize_datahub
from .datahub import no_content


class DataHubStateApi:
    def __init__(self, world: World) -> None:
        self.world = world

    async def get_client_state(self, clientId: str, **_: object) -> Response:
        clientid = path_value(clientId)
        client = self.world.client(clientid)
        if client is None:
            return errors.error(
                404, errors.CLIENT_NOT_FOUND, f"The client '{clientid}' was not found."
            )
        if not client.connected:
            return errors.error(
                404, errors.CLIENT_DISCONNECTED, f"The client '{clientid}' is disconnected."
            )
        states = self.world.datahub.client_states(clientid, client.connected_at)
        return json_response({"items": [serialize_datahub.state(s) for s in states]})

    async def start_trial_mode(self, **_: object) -> Response:
        try:
            self.world.datahub.start_trial()
        except DataHubError as exc:
            return errors.datahub(exc)
        return no_content()
