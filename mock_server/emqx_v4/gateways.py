"""Protocol plugins with an API: `emqx_lwm2m` (channels, command lookup) and `emqx_sasl`
(SCRAM credentials).

Read from `emqx_lwm2m_api.erl` and `emqx_sasl_api.erl` at v4.4.19:

* `GET /lwm2m_channels` lists the channels of the **answering node** only
  (`emqx_lwm2m_cm:all_channels/0`); `/nodes/{node}/lwm2m_channels` those of that node. A
  channel is `{imei, lifetime, ip_address, port, version, objectList}`, `objectList` an
  object from instance path to object name. `lookup_cmd` answers the last result recorded for
  a downlink command (`[]` when there is none); the handler puts the IMEI in `msgType`.
* SASL: parameters are the query pairs followed by the body's (the first occurrence wins).
  Add, update and delete answer `{"code":0}` or `{"message":<reason>}`: `unsupported_mechanism`,
  `invalid_username`/`invalid_password`/`invalid_salt`/`invalid_iteration_count` (checked in
  parameter order), `already_existed`, `not_found`. A missing `mechanism` or required field
  makes the handler crash (500: `pipeline/2` does not match its own `{missing, …}`).
  `GET /sasl` → `[{"SCRAM-SHA-1":[usernames]}]`; with `mechanism` →
  `{"SCRAM-SHA-1":[usernames]}` (another mechanism: `Unsupported mechanism`); with
  `username` too → the stored credential with the salt as it was given.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.fixtures.gateways import SASL_MECHANISMS, scram

from ..http import json_response
from ..paths import path_value
from . import errors, render


class GatewaysApi:
    def __init__(self, world: World) -> None:
        self.world = world

    # -- LwM2M -------------------------------------------------------------------------------

    def _channels(self, node: str) -> Response:
        eps = [e for e in self.world.gateways.lwm2m.values() if e.node == node]
        return errors.ok(data=[render.lwm2m_channel(e) for e in eps])

    def _lookup(self, ep: str, node: str, params: dict[str, Any]) -> Response:
        """`emqx_lwm2m_cm:lookup_cmd/3` on the node: the result of the last command sent
        with that path and type, if any."""
        endpoint = self.world.gateways.lwm2m.get(path_value(ep))
        msg_type, path = params.get("msgType"), params.get("path")
        if endpoint is None or endpoint.node != node:
            return errors.ok(data=[])
        result = endpoint.commands.get((str(path), str(msg_type)))
        if result is None:
            return errors.ok(data=[])
        code, code_msg, content = result
        data: dict[str, Any] = {
            "imei": endpoint.endpoint_name,
            "msgType": endpoint.endpoint_name,  # sic: the handler puts the IMEI there
            "code": code,
            "codeMsg": code_msg,
            "path": path,
        }
        if content is not None:
            data["content"] = content
        return errors.ok(data=data)

    def _here(self) -> str:
        nodes = self.world.running_nodes()
        return nodes[0].name if nodes else ""

    async def list_lwm_channels(self) -> Response:
        return self._channels(self._here())

    async def list_node_lwm_channels(self, node: str) -> Response:
        if self.world.node(node) is None:
            return errors.route_not_found()
        return self._channels(node)

    async def lookup_lwm_command(self, ep: str, **params: Any) -> Response:
        return self._lookup(ep, self._here(), params)

    async def lookup_node_lwm_command(self, node: str, ep: str, **params: Any) -> Response:
        if self.world.node(node) is None:
            return errors.route_not_found()
        return self._lookup(ep, node, params)

    # -- SASL --------------------------------------------------------------------------------

    def _pairs(self, body: Any, params: dict[str, Any]) -> list[tuple[str, Any]]:
        """minirest's parameter list: query pairs, then the body's."""
        pairs = list(params.items())
        if isinstance(body, dict):
            pairs += list(body.items())
        return pairs

    def _write(self, body: Any, params: dict[str, Any], action: str) -> Response:
        """`add/2`, `update/2`, `delete/2`: `pipeline/2` of required params, then
        `validate_params/2` in parameter order, then the store."""
        pairs = self._pairs(body, params)
        first = dict(reversed(pairs))  # proplists:get_value/2: the first occurrence
        mechanism = first.get("mechanism")
        if mechanism not in SASL_MECHANISMS:
            return json_response(render.message("unsupported_mechanism"))
        for key, value in pairs:
            kind = {"username": str, "password": str, "salt": str, "iteration_count": int}
            wanted = kind.get(key)
            bad = wanted is not None and (not isinstance(value, wanted) or isinstance(value, bool))
            if bad:
                return json_response(render.message(f"invalid_{key}"))
        username = str(first["username"])
        exists = (str(mechanism), username) in self.world.gateways.sasl
        if action == "delete":
            self.world.gateways.remove_sasl(str(mechanism), username)
            return errors.ok()
        if action == "add" and exists:
            return json_response(render.message("already_existed"))
        if action == "update" and not exists:
            return json_response(render.message("not_found"))
        cred = scram(
            str(mechanism),
            username,
            str(first["password"]),
            str(first["salt"]),
            int(first.get("iteration_count", 4096)),
        )
        self.world.gateways.put_sasl(cred)
        return errors.ok()

    async def list_sasl(self, **params: Any) -> Response:
        mechanism, username = params.get("mechanism"), params.get("username")
        if mechanism is None:
            return errors.ok(data=[{m: self._usernames(m)} for m in SASL_MECHANISMS][::-1])
        if username is None:
            if mechanism not in SASL_MECHANISMS:
                return json_response(render.message("Unsupported mechanism"))
            return errors.ok(data={mechanism: self._usernames(str(mechanism))})
        if mechanism not in SASL_MECHANISMS:
            return json_response(render.message("unsupported_mechanism"))
        cred = self.world.gateways.sasl.get((str(mechanism), str(username)))
        if cred is None:
            return json_response(render.message("not_found"))
        return errors.ok(data=render.scram(cred))

    def _usernames(self, mechanism: str) -> list[str]:
        return [u for m, u in self.world.gateways.sasl if m == mechanism]

    async def add_sasl(self, body: Any = None, **params: Any) -> Response:
        return self._write(body, params, "add")

    async def update_sasl(self, body: Any = None, **params: Any) -> Response:
        return self._write(body, params, "update")

    async def delete_sasl(self, body: Any = None, **params: Any) -> Response:
        return self._write(body, params, "delete")
