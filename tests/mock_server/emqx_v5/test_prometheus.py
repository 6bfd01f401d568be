"""`/status` and the Prometheus integration through /api/v5."""

from __future__ import annotations

import re

from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import World

JSON = {"accept": "application/json"}


def _samples(text: str, family: str) -> dict[str, float]:
    """label text ("" when none) → value, for one family of a Prometheus text answer."""
    found = {}
    for line in text.splitlines():
        m = re.fullmatch(rf"{family}(\{{[^}}]*\}})? (\S+)", line)
        if m:
            found[m.group(1) or ""] = float(m.group(2))
    return found


def test_status_text_and_json_without_credentials(app: TestClient, world: World) -> None:
    node = world.cluster.running_names()[0]
    text = app.get("/api/v5/status")
    assert text.status_code == 200 and text.headers["retry-after"] == "15"
    assert text.text == f"Node {node} is started\nemqx is running"
    assert app.get("/api/v5/status", params={"format": "json"}).json() == {
        "node_name": node,
        "rel_vsn": "v5.8.1",
        "broker_status": "started",
        "app_status": "running",
    }


def test_a_scrape_reads_the_same_counters_as_stats_and_metrics(
    app: TestClient, api: TestClient, world: World
) -> None:
    node = world.cluster.running_names()[0]
    stats = api.get(f"/api/v5/nodes/{node}/stats").json()
    metrics = api.get(f"/api/v5/nodes/{node}/metrics").json()
    text = app.get("/api/v5/prometheus/stats")  # no credentials: basic auth is off
    assert text.status_code == 200 and text.headers["content-type"].startswith("text/plain")
    assert _samples(text.text, "emqx_connections_count") == {"": stats["connections.count"]}
    assert _samples(text.text, "emqx_messages_received") == {"": metrics["messages.received"]}
    assert "# TYPE emqx_packets_connect counter" in text.text  # packets.connect.received's name
    running = len(world.cluster.running_names())
    assert _samples(text.text, "emqx_cluster_nodes_running") == {"": running}
    data = app.get("/api/v5/prometheus/stats", headers=JSON).json()
    assert data["stats"]["emqx_live_connections_count"] == stats["live_connections.count"]
    assert data["messages"]["emqx_messages_received"] == metrics["messages.received"]


def test_scrape_modes_label_or_sum_the_nodes(app: TestClient, world: World) -> None:
    per_node = {
        n: sum(1 for c in world.clients() if c.node == n) for n in world.cluster.running_names()
    }
    labelled = app.get("/api/v5/prometheus/stats", params={"mode": "all_nodes_unaggregated"})
    assert _samples(labelled.text, "emqx_connections_count") == {
        f'{{node="{n}"}}': count for n, count in per_node.items()
    }
    summed = app.get("/api/v5/prometheus/stats", params={"mode": "all_nodes_aggregated"})
    assert _samples(summed.text, "emqx_connections_count") == {"": sum(per_node.values())}
    rows = app.get(
        "/api/v5/prometheus/stats", params={"mode": "all_nodes_unaggregated"}, headers=JSON
    ).json()["stats"]
    assert {r["node"]: r["emqx_connections_count"] for r in rows} == per_node
    unknown = app.get("/api/v5/prometheus/stats", params={"mode": "everything"})
    assert unknown.status_code == 400  # the enum of the `mode` parameter


def test_basic_auth_switch_closes_the_scrapes(app: TestClient, api: TestClient) -> None:
    assert app.get("/api/v5/prometheus").status_code == 401  # the settings always need it
    settings = api.put("/api/v5/prometheus", json={"enable_basic_auth": True}).json()
    assert settings["enable_basic_auth"] is True and settings["push_gateway"]["interval"] == "15s"
    assert app.get("/api/v5/prometheus/stats").status_code == 401
    assert app.get("/api/v5/prometheus/auth").status_code == 401
    assert api.get("/api/v5/prometheus/stats").status_code == 200
    assert app.get("/api/v5/status").status_code == 200  # never closed


def test_a_legacy_setting_is_converted(api: TestClient) -> None:
    legacy = {"push_gateway_server": "http://gw:9091", "interval": "30s", "enable": True,
              "vm_dist_collector": "enabled"}  # fmt: skip
    answer = api.put("/api/v5/prometheus", json=legacy).json()
    assert answer["push_gateway"]["url"] == "http://gw:9091"
    assert answer["push_gateway"]["interval"] == "30s" and answer["push_gateway"]["enable"]
    assert answer["collectors"]["vm_dist"] == "enabled"
    assert answer["enable_basic_auth"] is False
    assert api.get("/api/v5/prometheus").json() == answer


def test_auth_and_data_integration_scrapes(app: TestClient, world: World) -> None:
    integration = app.get("/api/v5/prometheus/data_integration").text
    assert _samples(integration, "emqx_rules_count") == {"": len(world.rule_engine.rules)}
    connectors = _samples(integration, "emqx_connector_status")
    assert connectors['{id="connector:http:ops_webhook"}'] == 1
    auth = app.get("/api/v5/prometheus/auth").text
    assert _samples(auth, "emqx_banned_count") == {"": len(world.banned)}
