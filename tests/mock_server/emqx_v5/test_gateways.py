"""`/api/v5/gateways…`: gateways, their listeners and their authenticators (emqx_gateway_api*.erl,
5.8.1), from the one world."""

from __future__ import annotations

from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.fixtures.gateway_conf import GATEWAY_NAMES

V4_AUTH = ("admin", "public")


def test_every_gateway_is_listed_the_loaded_ones_with_status(api: TestClient, world: World) -> None:
    rows = api.get("/api/v5/gateways").json()
    assert [r["name"] for r in rows] == list(GATEWAY_NAMES)
    for row in rows:
        loaded = world.gateways.loaded.get(row["name"])
        if loaded is None:
            assert row == {"name": row["name"], "status": "unloaded"}
            continue
        assert row["status"] == loaded.status
        assert row["current_connections"] == sum(
            1 for _ in world.gateways.lwm2m.values() if row["name"] == "lwm2m"
        )
        assert [n["node"] for n in row["node_status"]] == [n.name for n in world.running_nodes()]
    running = api.get("/api/v5/gateways", params={"status": "running"}).json()
    assert {r["name"] for r in running} == {
        n for n, g in world.gateways.loaded.items() if g.status == "running"
    }


def test_an_unknown_status_is_the_handlers_400(api: TestClient) -> None:
    answer = api.get("/api/v5/gateways", params={"status": "paused"})
    assert answer.status_code == 400
    assert answer.json()["message"].startswith("Unknown gateway status in query: paused")
    assert api.get("/api/v5/gateways", params={"status": "all"}).status_code == 200


def test_loading_a_gateway_then_updating_and_stopping_it(api: TestClient, world: World) -> None:
    assert api.get("/api/v5/gateways/stomp").json() == {"name": "stomp", "status": "unloaded"}
    body = {
        "mountpoint": "stomp/",
        "listeners": [{"type": "tcp", "name": "default", "bind": "61613"}],
    }
    assert api.put("/api/v5/gateways/stomp", json=body).status_code == 204
    shown = api.get("/api/v5/gateways/stomp").json()
    assert shown["status"] == "running" and shown["mountpoint"] == "stomp/"
    assert shown["frame"]["max_headers"] == 10  # the schema's default, filled in
    assert [(li["id"], li["bind"]) for li in shown["listeners"]] == [("stomp:tcp:default", "61613")]
    # an update leaves listeners alone
    assert (
        api.put("/api/v5/gateways/stomp", json={"idle_timeout": "1m", "listeners": []}).status_code
        == 204
    )
    assert world.gateways.loaded["stomp"].config["idle_timeout"] == "1m"
    assert len(world.gateways.loaded["stomp"].listeners()) == 1
    assert api.put("/api/v5/gateways/stomp/enable/false").status_code == 204
    stopped = api.get("/api/v5/gateways/stomp").json()
    assert stopped["status"] == "stopped" and "stopped_at" in stopped


def test_a_bad_listener_name_refuses_the_load(api: TestClient, world: World) -> None:
    body = {"listeners": [{"type": "udp", "name": "9lives", "bind": "1884"}]}
    answer = api.put("/api/v5/gateways/mqttsn", json=body)
    assert answer.status_code == 400 and "bad_listener_name" in answer.json()["message"]
    assert "mqttsn" not in world.gateways.loaded


def test_enabling_an_unloaded_gateway_is_404(api: TestClient) -> None:
    answer = api.put("/api/v5/gateways/coap/enable/true")
    assert answer.status_code == 404 and answer.json()["code"] == "RESOURCE_NOT_FOUND"


def test_listeners_added_read_replaced_removed(api: TestClient, world: World) -> None:
    assert api.get("/api/v5/gateways/mqttsn/listeners").json()["message"] == "Gateway not loaded"
    listeners = api.get("/api/v5/gateways/lwm2m/listeners").json()
    first = listeners[0]
    assert first["status"]["current_connections"] == len(world.gateways.lwm2m)
    made = api.post(
        "/api/v5/gateways/lwm2m/listeners", json={"type": "dtls", "name": "secure", "bind": "5784"}
    )
    assert made.status_code == 201 and made.json()["id"] == "lwm2m:dtls:secure"
    again = api.post(
        "/api/v5/gateways/lwm2m/listeners", json={"type": "dtls", "name": "secure", "bind": "5785"}
    )
    assert again.status_code == 400 and again.json()["message"] == "Listener name has occupied"
    missing = api.post("/api/v5/gateways/lwm2m/listeners", json={"type": "udp", "name": "x"})
    assert missing.status_code == 400
    got = api.get("/api/v5/gateways/lwm2m/listeners/lwm2m:dtls:secure").json()
    assert got["running"] is True and got["dtls_options"]["verify"] == "verify_none"
    put = api.put("/api/v5/gateways/lwm2m/listeners/lwm2m:dtls:secure", json={"bind": "6000"})
    assert put.json()["bind"] == "6000"
    assert world.gateways.loaded["lwm2m"].listener("dtls", "secure")["bind"] == "6000"  # type: ignore[index]
    unknown = api.put("/api/v5/gateways/lwm2m/listeners/lwm2m:udp:nope", json={"bind": "1"})
    assert (
        unknown.status_code == 400
        and unknown.json()["message"] == "Listener lwm2m:udp:nope not found"
    )
    bad_id = api.get("/api/v5/gateways/lwm2m/listeners/nonsense")
    assert bad_id.status_code == 404 and bad_id.json()["message"] == "Listener not found: nonsense"
    assert api.delete("/api/v5/gateways/lwm2m/listeners/lwm2m:dtls:secure").status_code == 204
    assert api.get("/api/v5/gateways/lwm2m/listeners/lwm2m:dtls:secure").status_code == 404


def test_a_gateway_authenticator_and_its_own_users(api: TestClient, world: World) -> None:
    base = "/api/v5/gateways/lwm2m/authentication"
    assert api.get(base).status_code == 204
    assert api.get(base + "/users").json()["message"] == (
        "Resource not found. path: gateway.lwm2m.authentication"
    )
    conf = {"mechanism": "password_based", "backend": "built_in_database"}
    assert api.put(base, json=conf).status_code == 400  # nothing to replace yet
    assert api.post(base, json=conf).status_code == 201
    assert (
        api.post(base, json=conf).json()["message"] == "The authentication already exist on lwm2m"
    )
    shown = api.get(base).json()
    assert (
        shown["chain_name"] == "lwm2m:global" and shown["id"] == "password_based:built_in_database"
    )
    made = api.post(base + "/users", json={"user_id": "dev1", "password": "s3cret"})
    assert made.status_code == 201
    assert api.post(base + "/users", json={"user_id": "dev1", "password": "x"}).status_code == 409
    # the gateway's users are not the global chain's
    global_users = {u.login for u in world.auth_db.users("username")}
    assert "dev1" not in global_users
    assert api.put(base + "/users/dev1", json={"is_superuser": True}).json()["is_superuser"] is True
    listed = api.get(base + "/users").json()
    assert listed["data"] == [{"user_id": "dev1", "is_superuser": True}]
    assert api.delete(base + "/users/dev1").status_code == 204
    assert api.get(base + "/users/dev1").status_code == 404
    assert api.delete(base).status_code == 204
    assert api.delete(base).status_code == 204  # nothing there: still 204
    assert api.get(base).status_code == 204


def test_users_are_imported_from_a_file(api: TestClient) -> None:
    base = "/api/v5/gateways/lwm2m/authentication"
    api.post(base, json={"mechanism": "password_based", "backend": "built_in_database"})
    csv = b"user_id,password_hash,salt,is_superuser\ncsv_user,abc,def,true\n"
    sent = api.post(base + "/import_users", files={"filename": ("users.csv", csv)})
    assert sent.status_code == 204
    assert api.get(base + "/users/csv_user").json() == {"user_id": "csv_user", "is_superuser": True}
    none = api.post(base + "/import_users", files={"other": ("x.csv", b"")})
    assert none.status_code == 400


def test_a_listener_authenticator_is_a_chain_of_its_own(api: TestClient, world: World) -> None:
    lid = "lwm2m:udp:default"
    base = f"/api/v5/gateways/lwm2m/listeners/{lid}/authentication"
    conf = {"mechanism": "password_based", "backend": "built_in_database"}
    missing = api.post("/api/v5/gateways/lwm2m/listeners/lwm2m:udp:nope/authentication", json=conf)
    assert missing.status_code == 400
    assert api.post(base, json=conf).status_code == 201
    assert api.get(base).json()["chain_name"] == lid
    assert api.post(base + "/users", json={"user_id": "l1", "password": "p"}).status_code == 201
    assert api.get("/api/v5/gateways/lwm2m/authentication").status_code == 204
    assert api.get(base + "/users").json()["data"] == [{"user_id": "l1", "is_superuser": False}]
    http = {"mechanism": "password_based", "backend": "http", "url": "http://127.0.0.1:1"}
    assert api.put(base, json=http).status_code == 200
    refused = api.get(base + "/users")
    assert refused.status_code == 400  # no users in an HTTP authenticator
    # replacing the listener drops its authenticator (the whole tree is replaced)
    api.put(f"/api/v5/gateways/lwm2m/listeners/{lid}", json={"bind": "5783"})
    assert api.get(base).status_code == 204


def test_a_load_without_the_fields_that_have_no_default_is_refused(
    api: TestClient, world: World
) -> None:
    answer = api.put("/api/v5/gateways/exproto", json={"server": {"bind": "9100"}})
    assert answer.status_code == 400 and "gateway.exproto.handler" in answer.json()["message"]
    assert "exproto" not in world.gateways.loaded
    body = {"server": {"bind": "9100"}, "handler": {"address": "http://127.0.0.1:9001"}}
    assert api.put("/api/v5/gateways/exproto", json=body).status_code == 204
    assert world.gateways.loaded["exproto"].status == "running"
