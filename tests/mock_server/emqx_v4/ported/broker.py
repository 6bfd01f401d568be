"""A fresh single-node broker for EMQX's own Common Test suites, ported (v4.4.19).

The Erlang suites start one node with no clients, subscriptions, bans, alarms or extra apps,
then connect emqtt clients as a case needs them. The mock has no MQTT listener, so a port
takes the clients it needs from the world's own (already connected, as an emqtt client would
be after `emqtt:connect/1`) and removes every other one; what emqtt does over MQTT (subscribe,
disconnect) is the world's matching write. Every HTTP request and assertion is the suite's.

`request_api` is emqx_mgmt_api_test_helpers:request_api/5: the body text of a 200 or 201
answer, an `HttpError` otherwise. The plugin suites call `emqx_ct_http:request_api/3,5`
(emqx-ct-helpers 1.3.11) instead, which answers `{ok, Body}` for 200/201 and `{error, Reason}`
otherwise and which they match as `{ok, _}`: `Api` and `ok()` assert the status and hand
back the body text; `get_http_data/1` decodes it and takes `data`. Those suites log in with an
API app they create (`myappid`); the mock's default app (`admin:public`) stands in.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx
from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import Client, World, build_world
from mqtt_api_kit.fixtures.console import DEFAULT_APP
from mqtt_api_kit.mock_server import MockConfig, create_app

from ....support import basic

__all__ = [
    "Api",
    "Broker",
    "HttpError",
    "decode",
    "fresh_broker",
    "get",
    "get_http_data",
    "load_module",
    "ok",
    "uri_encode",
]

AUTH = basic("admin", "public")  # auth_header_/0
_NO_BODY = object()


class HttpError(Exception):
    """`{error, Reason}` of request_api: the answer was not 200/201."""


@dataclass
class Broker:
    world: World
    http: TestClient
    clients: list[Client]  # stand-ins for the emqtt clients, in the order the case needs

    @property
    def node(self) -> str:
        """`atom_to_list(node())`."""
        return self.world.running_nodes()[0].name

    def request_api(
        self,
        method: str,
        parts: list[str],
        query: str = "",
        auth: dict[str, str] | None = None,
        body: Any = _NO_BODY,
    ) -> str:
        url = "/api/v4/" + "/".join(parts) + (f"?{query}" if query else "")
        headers = dict(AUTH if auth is None else auth)
        if body is _NO_BODY:
            answer = self.http.request(method.upper(), url, headers=headers)
        else:
            headers["Content-Type"] = "application/json"
            answer = self.http.request(
                method.upper(), url, headers=headers, content=json.dumps(body).encode()
            )
        if answer.status_code not in (200, 201):
            raise HttpError(answer.status_code)
        return answer.text


def get(key: str, body: str) -> Any:
    """The suites' `get(Key, ResponseBody)`: a top-level field of the JSON answer."""
    return json.loads(body)[key]


def fresh_broker(clients: int = 0, *, proto_ver: int | None = None, seed: int = 11) -> Broker:
    """One node holding only `clients` connected clients (of `proto_ver`, when given), each
    with distinct usernames, no subscriptions and an empty ACL cache (a new connection's);
    no bans, no alarms, only the default app."""
    world = build_world(seed=seed, clients=max(40, clients * 10), nodes=1)
    chosen: list[Client] = []
    usernames: set[str] = set()
    for client in world.clients():
        if len(chosen) == clients:
            break
        if not client.connected or not client.username or client.username in usernames:
            continue
        if proto_ver is not None and client.proto_ver != proto_ver:
            continue
        chosen.append(client)
        usernames.add(client.username)
    assert len(chosen) == clients, "the seed has too few suitable clients"
    keep = {c.clientid for c in chosen}
    for client in list(world.clients()):
        if client.clientid not in keep:
            world.remove_client(client.clientid)
    for client in chosen:
        for sub in list(world.subscriptions_of(client.clientid)):
            topic = f"$share/{sub.group}/{sub.topic}" if sub.group else sub.topic
            world.unsubscribe(client.clientid, topic)
        world.clear_acl_cache(client.clientid)
    for kind, who in list(world.banned):
        world.unban(kind, who)
    for node in world.running_nodes():
        for alarm in list(node.alarms):
            world.deactivate_alarm(node.name, alarm.name)
        world.purge_alarm_history(node.name)
    for app_id in [a for a in world.console.apps if a != DEFAULT_APP[0]]:
        world.console.remove_app(app_id)
    return Broker(world, TestClient(create_app(world, MockConfig())), chosen)


def load_module(world: World, name: str, active: bool = True) -> None:
    """The suites start a module's server or load it (`emqx_mod_*:load/1`); the world's
    switch for it is the module's state on every node."""
    for node in world.nodes:
        world.set_module_active(node.name, name, active)


# -- emqx_ct_http, as the plugin suites call it ---------------------------------------------

BASE = "/api/v4"


def ok(response: httpx.Response) -> str:
    """`{ok, Body} = request_api(...)`: the status is 200 or 201."""
    assert response.status_code in (200, 201), (response.status_code, response.text)
    return response.text


def get_http_data(body: str) -> Any:
    return json.loads(body)["data"]


def decode(body: str) -> Any:
    return json.loads(body)


_RESERVED = frozenset(";:@&=+,/?#[]<>\"{}|\\'^% ")


def uri_encode(part: str) -> str:
    """`emqx_http_lib:uri_encode/1` (v4.4.19): only its `reserved/1` characters become %XX."""
    return "".join(f"%{ord(c):X}" if c in _RESERVED else c for c in part)


class Api:
    """`request_api(Method, uri(Parts), Qs, Auth, Body)` of one suite."""

    def __init__(self, client: TestClient, prefix: str = "") -> None:
        self.client, self.prefix = client, prefix

    def url(self, parts: list[str], qs: str = "") -> str:
        path = "/".join([BASE + self.prefix, *parts]) if parts else BASE + self.prefix
        return f"{path}?{qs}" if qs else path

    def get(self, parts: list[str], qs: str = "") -> str:
        return ok(self.client.get(self.url(parts, qs)))

    def post(self, parts: list[str], body: Any, qs: str = "") -> str:
        return ok(self.client.post(self.url(parts, qs), json=body))

    def put(self, parts: list[str], body: Any) -> str:
        return ok(self.client.put(self.url(parts), json=body))

    def delete(self, parts: list[str]) -> str:
        return ok(self.client.delete(self.url(parts)))
