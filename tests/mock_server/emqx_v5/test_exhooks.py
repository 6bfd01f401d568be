"""`/api/v5/exhooks…`: ExHook servers (emqx_exhook_api.erl, 5.8.1) over the world's list."""

from __future__ import annotations

from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import World


def _add(api: TestClient, name: str, **extra: object) -> dict[str, object]:
    answer = api.post(
        "/api/v5/exhooks", json={"name": name, "url": "http://127.0.0.1:9000", **extra}
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, object] = answer.json()
    return body


def test_a_server_is_added_and_reported_per_node(api: TestClient, world: World) -> None:
    shown = _add(api, "default")
    nodes = {n.name for n in world.running_nodes()}
    assert {s["node"] for s in shown["node_status"]} == nodes  # type: ignore[attr-defined]
    # no gRPC server answers: connecting while auto_reconnect is an interval
    assert {s["status"] for s in shown["node_status"]} == {"connecting"}  # type: ignore[attr-defined]
    assert shown["hooks"] == [] and shown["pool_size"] == 8
    lazy = _add(api, "lazy", auto_reconnect=False)
    assert {s["status"] for s in lazy["node_status"]} == {"disconnected"}  # type: ignore[attr-defined]
    again = api.post("/api/v5/exhooks", json={"name": "default", "url": "http://127.0.0.1:1"})
    assert again.status_code == 400 and again.json()["message"] == "Already exists"
    bad = api.post("/api/v5/exhooks", json={"name": "-x", "url": "http://127.0.0.1:1"})
    assert bad.status_code == 400
    assert [s["name"] for s in api.get("/api/v5/exhooks").json()] == ["default", "lazy"]


def test_update_disable_and_delete(api: TestClient, world: World) -> None:
    _add(api, "default")
    put = api.put(
        "/api/v5/exhooks/default",
        json={"name": "default", "url": "http://127.0.0.1:9100", "enable": False},
    )
    assert put.status_code == 200
    assert {s["status"] for s in put.json()["node_status"]} == {"disabled"}
    assert world.exhooks.servers[0]["url"] == "http://127.0.0.1:9100"
    missing = api.put("/api/v5/exhooks/other", json={"name": "other", "url": "http://127.0.0.1:1"})
    assert missing.status_code == 404 and missing.json()["code"] == "NOT_FOUND"
    assert api.delete("/api/v5/exhooks/default").status_code == 204
    gone = api.get("/api/v5/exhooks/default")
    assert gone.status_code == 404 and gone.json()["code"] == "BAD_REQUEST"
    assert api.get("/api/v5/exhooks/default/hooks").status_code == 400


def test_moves_reorder_the_servers(api: TestClient, world: World) -> None:
    for name in ("a", "b", "c"):
        _add(api, name)

    def order() -> list[str]:
        return [s["name"] for s in world.exhooks.servers]

    assert api.post("/api/v5/exhooks/c/move", json={"position": "front"}).status_code == 204
    assert order() == ["c", "a", "b"]
    assert api.post("/api/v5/exhooks/c/move", json={"position": "after:b"}).status_code == 204
    assert order() == ["a", "b", "c"]
    assert api.post("/api/v5/exhooks/a/move", json={"position": "before:c"}).status_code == 204
    assert order() == ["b", "a", "c"]
    assert api.post("/api/v5/exhooks/a/move", json={"position": "sideways"}).status_code == 400
    assert api.post("/api/v5/exhooks/zz/move", json={"position": "rear"}).status_code == 404
    unknown = api.post("/api/v5/exhooks/a/move", json={"position": "before:zz"})
    assert unknown.status_code == 500 and unknown.json()["code"] == "BAD_RPC"
    assert order() == ["b", "a", "c"]
