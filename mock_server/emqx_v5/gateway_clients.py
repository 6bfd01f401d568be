"""A gateway's clients (emqx_gateway_api_clients.erl, emqx_gateway_http.erl) and the LwM2M
device commands (emqx_lwm2m_api.erl), 5.8.1.

A gateway's clients are the channels `emqx_gateway_cm` registers for it, not `emqx_cm`'s (so
they are not `/clients`). The world's gateway channels are its LwM2M devices
(`World.gateways.lwm2m`): the same devices EMQX 4.4 lists at `/lwm2m_channels`, so a device
kicked here is gone there, and a command sent here is what 4.4's `lookup_cmd` reports; and,
while the CoAP gateway runs, its connected CoAP devices (`World.gateways.coap`, rows in
`coap.py`; 4.4 has no view of them: its `emqx_coap` plugin is not loaded).

* A row is `format_channel_info/2` over the channel's info: an LwM2M channel's client id and
  user name are the endpoint name (no `device_id`/`imei` query), `proto_ver` its LwM2M
  version, `keepalive` 0 (the client info has none; the lifetime is `lifetime`), stats the
  defaults of a channel that reports none (`infinity` maxima).
* Subscriptions: the session's (the downlink topic from the `command` translator at
  registration); a topic is mounted under the client's mountpoint when subscribed and
  unsubscribed (emqx_lwm2m_channel handle_call({subscribe, …})). A CoAP session keeps its
  observes mounted and an API subscription as given, with `default_subopts/0` (`is_new`)
  under the request's (emqx_coap_channel handle_call({subscribe, …})); lookup_topic/3 finds
  the topic mounted, the channel then unsubscribes it as given.
* Commands: the device answers at once — `read` and `observe` with the resources under the
  path (`2.05 Content`), `write` by storing the value (`2.04 Changed`), a path outside its
  registered object instances `4.04 Not Found` — and `lookup` reports the last answer of
  that path and action (`6.01 reply_not_received` before any).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from starlette.responses import Response

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.fixtures.gateways import Lwm2mEndpoint

from ..paths import path_value
from . import errors, paging, render
from .clients import epoch_ms
from .coap import coap_row
from .gateway_common import CHANNEL_STATS, http_error, not_loaded

Row = dict[str, Any]


def lwm2m_row(device: Lwm2mEndpoint) -> Row:
    name = device.endpoint_name
    row: Row = {
        "node": device.node,
        "clientid": name,
        "username": name,
        "mountpoint": f"lwm2m/{name}/",
        "proto_name": "LwM2M",
        "proto_ver": device.version,
        "ip_address": device.ip_address,
        "port": device.port,
        "is_bridge": False,
        "connected_at": render.rfc3339_ms(device.registered_at),
        "disconnected_at": None,
        "connected": True,
        "keepalive": 0,
        "clean_start": True,
        "expiry_interval": 0,
        "created_at": render.rfc3339_ms(device.registered_at),
        "subscriptions_cnt": len(device.subscriptions),
        **CHANNEL_STATS,
        "endpoint_name": name,
        "lifetime": device.lifetime,
    }
    return row


class Chan(NamedTuple):
    """A gateway channel as the list's filters see it (qs2ms/2 over its infos)."""

    row: Row
    created: int  # ms: the session's created_at
    connected: int  # ms: the conninfo's connected_at
    lifetime: int | None  # s: LwM2M's client info alone has one


def _filters(query: dict[str, Any]) -> tuple[list[Callable[[Chan], bool]], bool] | str:
    """?CLIENT_QSCHEMA's filters over a channel (or the parameter whose value is bad): exact
    ones match the info's field (a channel without it never matches), `like_*` ones a
    substring of it (run_fuzzy_filter/2: a missing field is `<<>>`)."""
    tests: list[Callable[[Chan], bool]] = []
    for key in ("clientid", "username", "endpoint_name", "ip_address", "proto_ver"):
        if query.get(key) is not None:
            wanted = str(query[key])
            tests.append(lambda c, k=key, w=wanted: c.row.get(k) == w)  # type: ignore[misc]
    if query.get("conn_state") is not None:
        state = str(query["conn_state"])
        tests.append(lambda c: state == ("connected" if c.row["connected"] else "disconnected"))
    if query.get("clean_start") is not None:
        clean = query["clean_start"] in (True, "true")
        tests.append(lambda c: c.row["clean_start"] == clean)
    fuzzy = False
    for key in ("like_clientid", "like_username", "like_endpoint_name"):
        if query.get(key) is not None:
            needle, fuzzy, field = str(query[key]), True, key.removeprefix("like_")
            tests.append(lambda c, n=needle, f=field: n in (c.row.get(f) or ""))  # type: ignore[misc]
    for key in ("gte_created_at", "lte_created_at", "gte_connected_at", "lte_connected_at"):
        if query.get(key) is not None:
            bound = epoch_ms(query[key])
            if bound is None:
                return key
            lower, created = key.startswith("gte"), key.endswith("created_at")
            tests.append(
                lambda c, b=bound, lo=lower, cr=created: (  # type: ignore[misc]
                    (c.created if cr else c.connected) >= b
                    if lo
                    else (c.created if cr else c.connected) <= b
                )
            )
    for key in ("gte_lifetime", "lte_lifetime"):
        if query.get(key) is not None:
            text = str(query[key])
            if not text.lstrip("-").isdigit():
                return key
            bound, lower = int(text), key.startswith("gte")
            tests.append(
                lambda c, b=bound, lo=lower: (
                    c.lifetime is not None  # type: ignore[misc]
                    and (c.lifetime >= b if lo else c.lifetime <= b)
                )
            )
    return tests, fuzzy


class GatewayClientsApi:
    def __init__(self, world: World) -> None:
        self.world = world

    def _channels(self, gateway: str, node: str | None = None) -> Iterator[Chan]:
        """The gateway's channels: node by node in the cluster's order."""
        for n in self.world.running_nodes():
            if node is not None and n.name != node:
                continue
            if gateway == "lwm2m":
                for d in self.world.gateways.lwm2m.values():
                    if d.node == n.name:
                        yield Chan(lwm2m_row(d), d.registered_at, d.registered_at, d.lifetime)
            elif gateway == "coap":
                devices = self.world.gateways.coap_devices
                for ch in self.world.gateways.coap.values():
                    device = devices[ch.clientid]
                    if device.node == n.name:
                        row = coap_row(ch, device)
                        yield Chan(row, ch.connected_at, ch.connected_at, None)

    def _row(self, gateway: str, clientid: str) -> Row | None:
        """lookup_client/3's first channel of that client id."""
        key = path_value(clientid)
        if gateway == "lwm2m" and key in self.world.gateways.lwm2m:
            return lwm2m_row(self.world.gateways.lwm2m[key])
        channel = self.world.gateways.coap.get(key) if gateway == "coap" else None
        if channel is None:
            return None
        return coap_row(channel, self.world.gateways.coap_devices[key])

    def _subscriptions(self, gateway: str, clientid: str) -> dict[str, dict[str, Any]] | None:
        key = path_value(clientid)
        if gateway == "lwm2m" and key in self.world.gateways.lwm2m:
            return dict(self.world.gateways.lwm2m[key].subscriptions)
        channel = self.world.gateways.coap.get(key) if gateway == "coap" else None
        return dict(channel.subscriptions) if channel is not None else None

    async def list_gateway_clients(self, name: str, **query: Any) -> Response:
        if name not in self.world.gateways.loaded:
            return not_loaded()
        page, limit = paging.params(query)
        node = query.get("node") or None  # an empty `node`: see the operation's x-emqx note
        if node is not None:
            owner = self.world.node(str(node))
            if owner is None or not owner.running:
                shown = f"'{node}'" if owner else f'<<"{node}">>'
                reason = "nodedown" if owner else '<<"invalid node">>'
                return errors.error(500, "NODE_DOWN", f"bad rpc call {shown}, Reason {reason}")
        found = _filters(query)
        if isinstance(found, str):
            return errors.bad_request(
                f"the {found} parameter expected type is integer, but the value is {query[found]}",
                "INVALID_PARAMETER",
            )
        tests, fuzzy = found
        where = str(node) if node else None
        chosen = (c for c in self._channels(name, where) if all(t(c) for t in tests))
        rows, hasnext = paging.page_of(chosen, page, limit)
        count = None
        if not fuzzy:
            count = sum(1 for c in self._channels(name, where) if all(t(c) for t in tests))
        data = [c.row for c in rows]
        return errors.ok({"data": data, "meta": paging.meta(page, limit, hasnext, count)})

    async def get_gateway_client(self, name: str, clientid: str) -> Response:
        if name not in self.world.gateways.loaded:
            return not_loaded()
        row = self._row(name, clientid)
        if row is None:
            return http_error(404, "Client not found")
        return errors.ok(row)

    async def kick_gateway_client(self, name: str, clientid: str) -> Response:
        if name not in self.world.gateways.loaded:
            return not_loaded()
        key = path_value(clientid)
        gateways = self.world.gateways
        kicked = gateways.remove_lwm2m(key) if name == "lwm2m" else False
        kicked = kicked or (gateways.remove_coap(key) if name == "coap" else False)
        if not kicked:
            return http_error(404, "Client not found")
        return errors.no_content()

    async def list_gateway_client_subscriptions(self, name: str, clientid: str) -> Response:
        if name not in self.world.gateways.loaded:
            return not_loaded()
        subscriptions = self._subscriptions(name, clientid)
        if subscriptions is None:
            return http_error(404, "client process not found")
        return errors.ok([{**opts, "topic": t} for t, opts in subscriptions.items()])

    async def subscribe_gateway_client(
        self, name: str, clientid: str, body: dict[str, Any]
    ) -> Response:
        if name not in self.world.gateways.loaded:
            return not_loaded()
        if body.get("topic") is None:
            return http_error(400, "Miss topic property")
        row = self._row(name, clientid)
        if row is None:
            return http_error(404, "client process not found")
        # subopts/1: qos 0, rap 0, nl 0, rh 1 unless given; a `subid` as sub_props
        opts: dict[str, Any] = {
            "qos": int(body.get("qos", 0)),
            "rap": int(body.get("rap", 0)),
            "nl": int(body.get("nl", 0)),
            "rh": int(body.get("rh", 1)),
        }
        subid = (body.get("sub_props") or {}).get("subid")
        topic = f"{row['mountpoint'] or ''}{body['topic']}"
        if name == "coap":
            # emqx_coap_channel handle_call({subscribe, …}): default_subopts/0 under the
            # request's, the session keeps the topic unmounted, the answer shows it mounted
            stored = {"is_new": True, **opts}
            if subid is not None:
                stored["sub_props"] = {"subid": subid}
            self.world.gateways.coap_subscribe(row["clientid"], str(body["topic"]), stored)
            return errors.ok({**stored, "topic": topic}, 201)
        self.world.gateways.lwm2m_subscribe(row["clientid"], topic, opts)
        shown = {**opts, "sub_props": {"subid": subid}} if subid is not None else opts
        return errors.ok({**shown, "topic": topic}, 201)

    async def unsubscribe_gateway_client(self, name: str, clientid: str, topic: str) -> Response:
        """lookup_topic/3: the topic must be one of the subscriptions once mounted; then the
        channel unsubscribes it (LwM2M: mounted; CoAP: as given, the session's key)."""
        if name not in self.world.gateways.loaded:
            return not_loaded()
        row = self._row(name, clientid)
        subscriptions = self._subscriptions(name, clientid)
        if row is None or subscriptions is None:
            return http_error(404, "client process not found")
        given = path_value(topic)
        mounted = f"{row['mountpoint'] or ''}{given}"
        if mounted not in subscriptions:
            return http_error(404, "Resource not found")
        if name == "coap":
            self.world.gateways.coap_unsubscribe(row["clientid"], given)
        else:
            self.world.gateways.lwm2m_unsubscribe(row["clientid"], mounted)
        return errors.no_content()

    # -- LwM2M commands (emqx_lwm2m_api.erl) -------------------------------------------------

    def _lwm2m(self, clientid: str) -> Lwm2mEndpoint | Response:
        """emqx_gateway_cm_registry:lookup_channels(lwm2m, …): 404 `{code}` alone."""
        device = self.world.gateways.lwm2m.get(path_value(clientid))
        return device if device is not None else errors.ok({"code": "CLIENT_NOT_FOUND"}, 404)

    async def lookup_lwm_resource(self, clientid: str, path: str, action: str) -> Response:
        device = self._lwm2m(clientid)
        if isinstance(device, Response):
            return device
        shown: Row = {"clientid": device.endpoint_name, "action": action, "path": path}
        result = device.commands.get((path, action))
        if result is None:
            return errors.ok({**shown, "code": "6.01", "codeMsg": "reply_not_received"})
        code, code_msg, content = result
        if content is not None:
            shown["content"] = content
        return errors.ok({**shown, "code": code, "codeMsg": code_msg})

    def _answer(self, device: Lwm2mEndpoint, path: str, action: str) -> Response:
        if not _registered(device, path):
            result: tuple[str, str, object] = ("4.04", "not_found", None)
        else:
            under = path.rstrip("/") + "/"
            content = [
                {"path": p, "value": v}
                for p, v in sorted(device.resources.items())
                if p == path or p.startswith(under)
            ]
            result = ("2.05", "content", content)
        self.world.gateways.record_lwm2m_command(device.endpoint_name, path, action, result)
        return errors.no_content()

    async def observe_lwm_resource(self, clientid: str, path: str, enable: bool) -> Response:
        device = self._lwm2m(clientid)
        if isinstance(device, Response):
            return device
        return self._answer(device, path, "observe" if enable else "cancel-observe")

    async def read_lwm_resource(self, clientid: str, path: str) -> Response:
        device = self._lwm2m(clientid)
        if isinstance(device, Response):
            return device
        return self._answer(device, path, "read")

    async def write_lwm_resource(self, clientid: str, path: str, type: str, value: str) -> Response:
        device = self._lwm2m(clientid)
        if isinstance(device, Response):
            return device
        if not _registered(device, path) or len(path.strip("/").split("/")) < 3:
            result: tuple[str, str, object] = ("4.04", "not_found", None)
        else:
            self.world.gateways.write_lwm2m_resource(device.endpoint_name, path, str(value))
            result = ("2.04", "changed", None)
        self.world.gateways.record_lwm2m_command(device.endpoint_name, path, "write", result)
        return errors.no_content()


def _registered(device: Lwm2mEndpoint, path: str) -> bool:
    """The path lies under one of the object instances the device registered (`/3/0`), or
    names one of their objects (`/3`)."""
    parts = path.strip("/").split("/")
    for instance in device.objects:
        obj = instance.strip("/").split("/")
        if parts[: len(obj)] == obj or (len(parts) == 1 and parts[0] == obj[0]):
            return True
    return False
