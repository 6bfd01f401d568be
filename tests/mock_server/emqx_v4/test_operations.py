"""Cluster, monitoring and operator endpoints: shapes as 4.4.19 prints them, and effects."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.mock_server import MockConfig, create_app


def data(client: TestClient, path: str):
    body = client.get(path).json()
    assert body["code"] == 0, body
    return body["data"]


@pytest.mark.read_only
def test_nodes_and_brokers(client, world) -> None:
    names = [n.name for n in world.running_nodes()]
    assert [b["node"] for b in data(client, "/api/v4/brokers")] == names
    info = data(client, f"/api/v4/nodes/{names[0]}")
    assert re.fullmatch(r"[0-9]+\.[0-9]{2}[KMG]", info["memory_total"])
    assert info["connections"] == world.client_count(names[0])
    assert info["live_connections"] == sum(1 for c in world.clients(names[0]) if c.connected)
    assert re.fullmatch(
        r"([0-9]+ days, )?([0-9]+ hours, )?([0-9]+ minutes, )?[0-9]+ seconds", info["uptime"]
    )
    assert client.get("/api/v4/nodes/emqx@nowhere").status_code == 404
    assert client.get("/api/v4/brokers/emqx@nowhere").text == "Not found."


@pytest.mark.read_only
def test_metrics_and_stats_cluster_wrappers_and_bare_node_objects(client, world) -> None:
    node = world.running_nodes()[0].name
    cluster = data(client, "/api/v4/metrics")
    assert [set(item) for item in cluster] == [{"node", "metrics"}] * len(world.running_nodes())
    assert data(client, f"/api/v4/nodes/{node}/metrics") == cluster[0]["metrics"]
    stats = data(client, "/api/v4/stats")
    assert data(client, f"/api/v4/nodes/{node}/stats") == stats[0]["stats"]


def test_listeners_and_restart(client, world) -> None:
    node = world.running_nodes()[0].name
    items = data(client, f"/api/v4/nodes/{node}/listeners")
    tcp = next(i for i in items if i.get("identifier") == "mqtt:tcp:default")
    http = [i for i in items if i["protocol"].startswith("http")]
    assert http and all("identifier" not in i and i["shutdown_count"] == [] for i in http)
    assert tcp["current_conns"] == world.current_conns(node, "tcp:default") > 0
    r = client.put(f"/api/v4/nodes/{node}/listeners/mqtt:tcp:default/restart")
    assert r.json() == {"code": 0} and world.current_conns(node, "tcp:default") == 0
    r = client.put("/api/v4/listeners/http:management/restart")
    assert r.status_code == 403 and r.json() == "http_listener_restart_unsupported"
    assert client.put(f"/api/v4/nodes/{node}/listeners/nope/restart").json() == {
        "message": "not_found"
    }


def test_plugins_load_unload_reload(client, world) -> None:
    node = world.running_nodes()[0].name
    url = f"/api/v4/nodes/{node}/plugins/emqx_recon"
    assert client.put(f"{url}/load").json() == {"message": "already_started"}
    assert client.put(f"{url}/unload").json() == {"code": 0}
    assert world.plugin(node, "emqx_recon").active is False
    assert client.put(f"{url}/reload").json() == {"message": "not_started"}
    assert client.put(f"{url}/unload").json() == {"message": "not_started"}
    assert client.put(f"{url}/load").json() == {"code": 0}
    assert client.put("/api/v4/plugins/emqx_recon/unload").json() == {"code": 0}
    assert not any(world.plugin(n.name, "emqx_recon").active for n in world.running_nodes())
    assert client.put("/api/v4/plugins/not_a_plugin/unload").status_code == 404
    listed = data(client, f"/api/v4/nodes/{node}/plugins")
    assert next(p for p in listed if p["name"] == "emqx_recon")["active"] is False


def test_modules_follow_the_same_rules(client, world) -> None:
    assert client.put("/api/v4/modules/emqx_mod_delayed/load").json() == {"code": 0}
    assert all(n.modules["emqx_mod_delayed"].active for n in world.running_nodes())
    assert client.put("/api/v4/modules/emqx_mod_delayed/load").json() == {
        "message": "already_started"
    }
    node = world.running_nodes()[1].name
    assert client.put(f"/api/v4/nodes/{node}/modules/emqx_mod_delayed/unload").json() == {"code": 0}
    cluster = data(client, "/api/v4/modules")
    states = {i["node"]: {m["name"]: m["active"] for m in i["modules"]} for i in cluster}
    assert states[node]["emqx_mod_delayed"] is False


def test_alarms_deactivate_and_purge(client, world) -> None:
    node = world.running_nodes()[0]
    node.alarms.clear()
    from mqtt_api_kit.fixtures import Alarm

    node.alarms.append(
        Alarm("high_cpu_usage", "CPU usage is higher than 80%", {}, world.now - 5000)
    )
    active = data(client, f"/api/v4/nodes/{node.name}/alarms/activated")
    assert active[0]["deactivate_at"] == "infinity" and active[0]["activate_at"] % 1000 == 0
    body = {"node": node.name, "name": "high_cpu_usage"}
    assert client.post("/api/v4/alarms/deactivated", json=body).json() == {"code": 0}
    assert client.post("/api/v4/alarms/deactivated", json=body).json() == {"message": "not_found"}
    cleared = data(client, f"/api/v4/nodes/{node.name}/alarms/deactivated")
    assert cleared[0]["activated"] is False and isinstance(cleared[0]["deactivate_at"], int)
    assert client.delete("/api/v4/alarms/deactivated").json() == {"code": 0}
    assert data(client, f"/api/v4/nodes/{node.name}/alarms") == []


def test_banned_echoes_the_request_and_validates_as(client, world) -> None:
    body = {"who": "mallory", "as": "clientid", "reason": "r", "extra": "kept"}
    assert client.post("/api/v4/banned", json=body).json() == {"code": 0, "data": body}
    rows = data(client, "/api/v4/banned?_limit=100")
    entry = next(r for r in rows if r["who"] == "mallory")
    assert entry["by"] == "user" and entry["until"] - entry["at"] == 300
    bad = client.post("/api/v4/banned", json={"who": "x", "as": "ip", "reason": "r"}).json()
    assert bad == {
        "code": 108,
        "message": "value of 'as' must be one of: ['clientid', 'username', 'peerhost']",
    }
    assert client.delete("/api/v4/banned/ip/x").json()["code"] == 108
    assert client.delete("/api/v4/banned/clientid/mallory").json() == {"code": 0}
    assert client.delete("/api/v4/banned/clientid/mallory").json() == {"code": 0}
    meta = client.get("/api/v4/banned?_limit=1").json()["meta"]
    assert meta == {"page": 1, "limit": 1, "count": len(world.banned)}


def test_session_settings(client, world) -> None:
    c = next(x for x in world.clients() if x.connected)
    url = f"/api/v4/clients/{c.clientid}"
    assert client.post(f"{url}/ratelimit", json={"conn_bytes_in": "100KB, 1s"}).json() == {
        "code": 0
    }
    assert c.limits == {"conn_bytes_in": "100KB, 1s"}
    assert client.post("/api/v4/clients/ghost/ratelimit", json={}).json() == {"code": 0}
    ghost = client.post("/api/v4/clients/ghost/quota", json={"conn_messages_routing": "10,1s"})
    assert ghost.json() == {"code": 112, "message": "not_found"}
    assert client.delete(f"{url}/ratelimit").json() == {"code": 0} and c.limits == {}
    assert client.put(f"{url}/keepalive").json() == {"code": 107, "message": "params_not_found"}
    assert client.put(f"{url}/keepalive?interval=70000").json()["code"] == 102
    assert client.put(f"{url}/keepalive", json={"interval": 45}).json() == {"code": 0}
    assert c.keepalive == 45
    c.acl_cache.append(c.acl_cache[0] if c.acl_cache else None)  # make sure something is there
    assert client.delete("/api/v4/acl-cache").json() == {"code": 0} and c.acl_cache == []


def test_data_backups_round_trip(client, world) -> None:
    made = data_post = client.post("/api/v4/data/export").json()
    assert made["code"] == 0 and made["data"]["filename"].startswith("emqx-export-")
    name = data_post["data"]["filename"]
    assert [f["filename"] for f in data(client, "/api/v4/data/export")] == [name]
    file = client.get(f"/api/v4/data/file/{name}").json()
    assert set(file) == {"filename", "file"}  # no code, as the broker answers
    for kind, who in list(world.banned):
        world.unban(kind, who)
    assert not world.banned
    assert client.post("/api/v4/data/import", json={"filename": name}).json() == {"code": 0}
    assert len(world.banned) == 3
    assert client.delete(f"/api/v4/data/file/{name}").json() == {"code": 0}
    assert client.get(f"/api/v4/data/file/{name}").json() == {"message": "not_found"}


@pytest.mark.read_only
def test_status_and_root(world: World) -> None:
    app = TestClient(create_app(world, MockConfig()))
    r = app.get("/status")
    assert (
        r.status_code == 200
        and r.text == f"Node {world.running_nodes()[0].name} is started\nemqx is running"
    )
    assert app.post("/status").status_code == 400
    assert app.get("/api/v4/").status_code == 401


@pytest.mark.read_only
def test_root_lists_routes(client) -> None:
    routes = data(client, "/api/v4/")
    assert {"name": "list_routes", "method": "GET", "path": "/routes"} in [
        {k: r[k] for k in ("name", "method", "path")} for r in routes
    ]
    assert any(r["path"] == "/nodes/:node/subscriptions/:clientid" for r in routes)


@pytest.mark.parametrize("path", ["/subscriptions", "/routes", "/banned"])
@pytest.mark.read_only
def test_bad_paging_does_not_crash(client, path) -> None:
    assert client.get(f"/api/v4{path}?_page=x").status_code == 200
