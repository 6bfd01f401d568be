"""Protocol plugins with an API: `emqx_lwm2m` (channels, command lookup) and `emqx_sasl`
(SCRAM credentials).

Neither body is covered by the reference sheet; the shapes are the mock's reading of the 4.4
plugin sources and are marked so in the document.
"""

from __future__ import annotations

from typing import Any, TypeGuard

from starlette.responses import Response

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.fixtures.gateways import SASL_MECHANISMS, scram

from ..http import json_response
from ..paths import path_value
from . import errors, render

_CODE_MSG = {
    "read": ("2.05", "content"),
    "discover": ("2.05", "content"),
    "write": ("2.04", "changed"),
    "execute": ("2.04", "changed"),
    "write-attr": ("2.04", "changed"),
    "observe": ("2.05", "content"),
}


class GatewaysApi:
    def __init__(self, world: World) -> None:
        self.world = world

    # -- LwM2M -------------------------------------------------------------------------------

    def _channels(self, node: str | None) -> Response:
        eps = [e for e in self.world.gateways.lwm2m.values() if node is None or e.node == node]
        return errors.ok(data=[render.lwm2m_channel(e) for e in eps])

    def _lookup(self, ep: str, node: str | None, params: dict[str, Any]) -> Response:
        endpoint = self.world.gateways.lwm2m.get(path_value(ep))
        if endpoint is None or (node is not None and endpoint.node != node):
            return errors.ok(data={})
        msg_type = str(params.get("msgType", "read"))
        path = str(params.get("path", "/3/0"))
        code, code_msg = _CODE_MSG.get(msg_type, ("4.05", "method_not_allowed"))
        content = [
            {"path": p, "value": v}
            for p, v in endpoint.resources.items()
            if p == path or p.startswith(path.rstrip("/") + "/")
        ]
        if msg_type == "discover":
            content = [{"path": p, "value": f"<{p}>"} for p in endpoint.objects]
        data = {
            "clientid": endpoint.endpoint_name,
            "msgType": msg_type,
            "path": path,
            "code": code,
            "codeMsg": code_msg,
            "content": content,
        }
        return errors.ok(data=data)

    async def list_lwm_channels(self) -> Response:
        return self._channels(None)

    async def list_node_lwm_channels(self, node: str) -> Response:
        if self.world.node(node) is None:
            return errors.route_not_found()
        return self._channels(node)

    async def lookup_lwm_command(self, ep: str, **params: Any) -> Response:
        return self._lookup(ep, None, params)

    async def lookup_node_lwm_command(self, node: str, ep: str, **params: Any) -> Response:
        if self.world.node(node) is None:
            return errors.route_not_found()
        return self._lookup(ep, node, params)

    # -- SASL --------------------------------------------------------------------------------

    def _fields(self, body: Any, params: dict[str, Any]) -> dict[str, Any]:
        fields = dict(params)  # query pairs first, as minirest merges them
        if isinstance(body, dict):
            for key, value in body.items():
                fields.setdefault(key, value)
        return fields

    def _mechanism(self, fields: dict[str, Any]) -> str | Response:
        mechanism = fields.get("mechanism")
        if mechanism not in SASL_MECHANISMS:
            return json_response(render.message("Unsupported mechanism"))
        return str(mechanism)

    def _store(self, body: Any, params: dict[str, Any], must_exist: bool) -> Response:
        fields = self._fields(body, params)
        mechanism = self._mechanism(fields)
        if isinstance(mechanism, Response):
            return mechanism
        username, password = fields.get("username"), fields.get("password")
        salt, iterations = fields.get("salt"), fields.get("iteration_count", 4096)
        if not (_filled(username) and _filled(password) and _filled(salt)):
            return json_response(render.message("missing_required_params"))
        if not isinstance(iterations, int) or isinstance(iterations, bool) or iterations < 1:
            return json_response(render.message("bad_iteration_count"))
        exists = (mechanism, username) in self.world.gateways.sasl
        if must_exist and not exists:
            return json_response(render.message("not_found"))
        if not must_exist and exists:
            return json_response(render.message("already_existed"))
        self.world.gateways.put_sasl(scram(mechanism, username, password, salt, iterations))
        return errors.ok()

    async def list_sasl(self, **params: Any) -> Response:
        fields = self._fields(None, params)
        mechanism = self._mechanism({"mechanism": fields.get("mechanism", "SCRAM-SHA-1")})
        if isinstance(mechanism, Response):
            return mechanism
        username = fields.get("username")
        if username is not None:
            cred = self.world.gateways.sasl.get((mechanism, str(username)))
            return errors.ok(data=render.scram(cred) if cred else {})
        names = [u for m, u in self.world.gateways.sasl if m == mechanism]
        return errors.ok(data=names)

    async def add_sasl(self, body: Any = None, **params: Any) -> Response:
        return self._store(body, params, must_exist=False)

    async def update_sasl(self, body: Any = None, **params: Any) -> Response:
        return self._store(body, params, must_exist=True)

    async def delete_sasl(self, body: Any = None, **params: Any) -> Response:
        fields = self._fields(body, params)
        mechanism = self._mechanism(fields)
        if isinstance(mechanism, Response):
            return mechanism
        username = fields.get("username")
        if not isinstance(username, str):
            return json_response(render.message("missing_required_params"))
        self.world.gateways.remove_sasl(mechanism, username)
        return errors.ok()


def _filled(value: object) -> TypeGuard[str]:
    """A non-empty string: what the SASL routes require of username, password and salt."""
    return isinstance(value, str) and value != ""
