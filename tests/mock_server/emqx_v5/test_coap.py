"""`POST /api/v5/gateways/coap/clients/{clientid}/request` and the CoAP gateway's clients: the
world's CoAP devices connect once the coap gateway is loaded, and answer from their own
resources (emqx_coap_api.erl request/2 at 5.8.1)."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote

from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.fixtures.coap import ROOT, CoapDevice

UDP = {"listeners": [{"type": "udp", "name": "default", "bind": "5683"}]}


def _load(api: TestClient) -> None:
    assert api.put("/api/v5/gateways/coap", json=UDP).status_code == 204


def _answering(world: World, with_root: bool | None = None) -> CoapDevice:
    """A connected device that answers (fast enough for any test's timeout)."""
    for device in world.gateways.coap_devices.values():
        if device.rtt is None or device.clientid not in world.gateways.coap:
            continue
        if with_root is None or (ROOT in device.resources) is with_root:
            return device
    raise AssertionError("the seed has no such device")


def _ask(api: TestClient, clientid: str, **body: object) -> tuple[int, dict[str, object]]:
    sent = {"content_type": "text/plain", "timeout": "5s", **body}
    answer = api.post(
        f"/api/v5/gateways/coap/clients/{quote(clientid, safe='')}/request", json=sent
    )
    return answer.status_code, answer.json()


def test_devices_connect_when_the_gateway_is_loaded_and_leave_when_it_stops(
    api: TestClient, world: World
) -> None:
    assert world.gateways.coap == {} and world.gateways.coap_devices
    assert api.get("/api/v5/gateways/coap/clients").json()["message"] == "Gateway not loaded"
    _load(api)
    page = api.get("/api/v5/gateways/coap/clients").json()
    assert page["meta"]["count"] == len(world.gateways.coap_devices)
    assert {r["clientid"] for r in page["data"]} == set(world.gateways.coap_devices)
    row = page["data"][0]
    device = world.gateways.coap_devices[row["clientid"]]
    assert (row["proto_name"], row["proto_ver"], row["keepalive"]) == ("CoAP", "1", 0)
    assert row["username"] == device.username and row["ip_address"] == device.ip_address
    assert row["node"] == device.node and "endpoint_name" not in row
    overview = {g["name"]: g for g in api.get("/api/v5/gateways").json()}["coap"]
    assert overview["current_connections"] == len(world.gateways.coap_devices)
    assert api.put("/api/v5/gateways/coap/enable/false").status_code == 204
    assert api.get("/api/v5/gateways/coap/clients").json()["meta"]["count"] == 0
    assert api.put("/api/v5/gateways/coap/enable/true").status_code == 204
    assert api.get("/api/v5/gateways/coap/clients").json()["meta"]["count"] == len(
        world.gateways.coap_devices
    )


def test_the_clients_filter_lookup_kick_and_subscriptions(api: TestClient, world: World) -> None:
    _load(api)
    device = next(iter(world.gateways.coap_devices.values()))
    quoted = quote(device.clientid, safe="")
    exact = api.get("/api/v5/gateways/coap/clients", params={"clientid": device.clientid}).json()
    assert [r["clientid"] for r in exact["data"]] == [device.clientid]
    lifetime = api.get("/api/v5/gateways/coap/clients", params={"gte_lifetime": 0}).json()
    assert lifetime["data"] == []  # a CoAP client info has no lifetime
    one = api.get(f"/api/v5/gateways/coap/clients/{quoted}").json()
    assert one["clientid"] == device.clientid and one["subscriptions_cnt"] == len(device.observes)
    observed = api.get(f"/api/v5/gateways/coap/clients/{quoted}/subscriptions").json()
    assert {s["topic"] for s in observed} == set(device.observes)
    made = api.post(
        f"/api/v5/gateways/coap/clients/{quoted}/subscriptions",
        json={"topic": "coap/in", "qos": 1, "sub_props": {"subid": "7"}},
    )
    assert made.status_code == 201
    assert made.json() == {
        "topic": "coap/in", "qos": 1, "rap": 0, "nl": 0, "rh": 1, "is_new": True,
        "sub_props": {"subid": "7"},
    }  # fmt: skip
    listed = api.get(f"/api/v5/gateways/coap/clients/{quoted}/subscriptions").json()
    assert "coap/in" in {s["topic"] for s in listed}
    gone = api.delete(f"/api/v5/gateways/coap/clients/{quoted}/subscriptions/coap%2Fin")
    assert gone.status_code == 204
    assert "coap/in" not in world.gateways.coap[device.clientid].subscriptions
    again = api.delete(f"/api/v5/gateways/coap/clients/{quoted}/subscriptions/coap%2Fin")
    assert again.status_code == 404 and again.json()["message"] == "Resource not found"
    assert api.delete(f"/api/v5/gateways/coap/clients/{quoted}").status_code == 204
    missing = api.get(f"/api/v5/gateways/coap/clients/{quoted}")
    assert missing.status_code == 404 and missing.json()["message"] == "Client not found"
    assert device.clientid in world.gateways.coap_devices  # the device is still in the field
    status, body = _ask(api, device.clientid)
    assert (status, body) == (404, {"code": "CLIENT_NOT_FOUND"})


def test_a_get_answers_the_devices_root_and_a_put_changes_it(api: TestClient, world: World) -> None:
    _load(api)
    device = _answering(world, with_root=True)
    content = device.resources[ROOT].content.decode()
    assert device.resources[ROOT].content_format in ("application/json", "text/plain")
    next_id = world.gateways.coap[device.clientid].next_msg_id
    status, body = _ask(api, device.clientid, method="get", token="t1")
    assert status == 200
    assert body == {"id": next_id, "token": "t1", "method": "{ok,content}", "payload": content}
    status, body = _ask(api, device.clientid, method="put", payload="21.0 C")
    assert (status, body["method"], body["payload"]) == (200, "{ok,changed}", "")
    assert body["id"] == next_id % 65535 + 1
    status, body = _ask(api, device.clientid)  # method defaults to get
    assert body["payload"] == "21.0 C"
    raw = base64.b64encode(b"21.0 C").decode()
    status, body = _ask(api, device.clientid, content_type="application/octet-stream")
    assert body["payload"] == raw  # format_payload/2 by the request's content type
    status, body = _ask(api, device.clientid, method="delete")
    assert body["method"] == "{ok,deleted}"
    status, body = _ask(api, device.clientid, method="get")
    assert (status, body["method"], body["payload"]) == (200, "{error,not_found}", "")


def test_a_device_without_a_root_answers_404_through_a_200_until_one_is_posted(
    api: TestClient, world: World
) -> None:
    _load(api)
    device = _answering(world)
    if ROOT in device.resources:
        assert _ask(api, device.clientid, method="delete")[1]["method"] == "{ok,deleted}"
    assert ROOT not in world.gateways.coap_devices[device.clientid].resources
    status, body = _ask(api, device.clientid, method="get")
    assert (status, body["method"]) == (200, "{error,not_found}")
    reading = json.dumps({"valve": "open"})
    status, body = _ask(
        api, device.clientid, method="post", content_type="application/json", payload=reading
    )
    assert body["method"] == "{ok,created}"
    assert world.gateways.coap_devices[device.clientid].resources[ROOT].content == reading.encode()
    status, body = _ask(api, device.clientid, method="get", content_type="application/json")
    assert (body["method"], body["payload"]) == ("{ok,content}", reading)


def test_no_answer_in_time_is_504_and_the_device_still_acts(api: TestClient, world: World) -> None:
    _load(api)
    device = _answering(world)
    assert device.rtt is not None
    status, body = _ask(api, device.clientid, method="put", payload="late", timeout=device.rtt - 1)
    assert (status, body) == (504, {"code": "CLIENT_NOT_RESPONSE"})
    assert world.gateways.coap_devices[device.clientid].resources[ROOT].content == b"late"
    status, body = _ask(api, device.clientid, timeout=f"{device.rtt}ms")
    assert (status, body["payload"]) == (200, "late")
    status, body = _ask(api, device.clientid, token="123456789")  # 9 bytes: a format error
    assert (status, body) == (504, {"code": "CLIENT_NOT_RESPONSE"})
    silent = [d for d in world.gateways.coap_devices.values() if d.rtt is None]
    assert silent  # coap.roster: every seed has a device that never answers
    for quiet in silent:
        assert _ask(api, quiet.clientid, timeout="1h")[0] == 504


def test_bad_bodies_are_refused_as_the_handler_refuses_them(api: TestClient, world: World) -> None:
    _load(api)
    device = _answering(world)
    url = f"/api/v5/gateways/coap/clients/{quote(device.clientid, safe='')}/request"
    for body in (
        {"timeout": "5s"},  # no content_type
        {"content_type": "text/plain"},  # no timeout
        {"content_type": "text/html", "timeout": "5s"},
        {"content_type": "text/plain", "timeout": "5s", "method": "patch"},
        {"content_type": "text/plain", "timeout": "soon"},
        {"content_type": "text/plain", "timeout": "5s", "token": 12},
    ):
        answer = api.post(url, json=body)
        assert answer.status_code == 400 and answer.json()["code"] == "BAD_REQUEST", body
    large = api.post(url, json={"content_type": "text/plain", "timeout": "99999999d"})
    assert large.status_code == 400 and "timeout value too large" in large.json()["message"]
    before = dict(world.gateways.coap_devices[device.clientid].resources)
    crash = api.post(
        url,
        json={"content_type": "application/octet-stream", "timeout": "5s", "payload": "%%%"},
    )
    assert crash.status_code == 500 and crash.json()["code"] == "INTERNAL_ERROR"
    assert dict(world.gateways.coap_devices[device.clientid].resources) == before
    status, body = _ask(api, "no-such-device")
    assert (status, body) == (404, {"code": "CLIENT_NOT_FOUND"})


def test_the_gateway_unloaded_has_no_client_to_ask(api: TestClient, world: World) -> None:
    device = next(iter(world.gateways.coap_devices))
    assert _ask(api, device) == (404, {"code": "CLIENT_NOT_FOUND"})


def test_coap_channels_are_not_mqtt_clients_in_either_version(
    api: TestClient, world: World
) -> None:
    """emqx_gateway_cm, not emqx_cm: loading the coap gateway adds no row to 5.x's or 4.4's
    `/clients` (4.4's emqx_coap plugin, which registered CoAP clients there, is not loaded)."""
    v4 = ("admin", "public")

    def counts() -> tuple[int, int]:
        v5 = api.get("/api/v5/clients", params={"limit": 1}).json()["meta"]["count"]
        old = api.get("/api/v4/clients", params={"_limit": 1}, auth=v4).json()["meta"]["count"]
        return v5, old

    before = counts()
    _load(api)
    assert world.gateways.coap
    assert counts() == before == (world.sessions.client_count(),) * 2
    device = next(iter(world.gateways.coap))
    assert api.get(f"/api/v5/clients/{quote(device, safe='')}").status_code == 404
