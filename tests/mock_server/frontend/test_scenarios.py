"""Scenarios: the shipped ones, and clear errors (file and line) for broken ones."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import build_world
from mqtt_api_kit.fixtures.scenario import ScenarioError, available, load, parse
from mqtt_api_kit.mock_server import MockConfig, create_app

from ...support import AUTH


def app_for(name: str) -> TestClient:
    return TestClient(create_app(None, MockConfig(scenario=name)), headers={})


def test_empty_cluster() -> None:
    mock = app_for("empty-cluster")
    [node] = mock.get("/api/v4/nodes", auth=AUTH).json()["data"]
    assert node["node"] == "emqx@127.0.0.1" and node["connections"] == 0
    assert mock.get("/api/v1/mqtt/clients").json() == {"items": []}
    [v2] = mock.get("/api/v2/management/nodes", auth=AUTH).json()["result"]
    assert v2["name"] == "emqx@127.0.0.1"


def test_degraded_node() -> None:
    mock = app_for("degraded-node")
    nodes = mock.get("/api/v4/nodes", auth=AUTH).json()["data"]
    assert sorted(n["node"] for n in nodes) == ["emqx@10.0.2.11", "emqx@10.0.2.12"]
    v2 = mock.get("/api/v2/monitoring/nodes", auth=AUTH).json()["result"]
    assert {"name": "emqx@10.0.2.13", "node_status": "Stopped"} in v2
    clients = mock.get("/api/v4/clients?_limit=1000", auth=AUTH).json()["data"]
    assert clients and all(c["node"] != "emqx@10.0.2.13" for c in clients)
    alarms = mock.get("/api/v4/alarms/activated", auth=AUTH).json()["data"]
    active = [a for node in alarms for a in node["alarms"]]
    assert any(a["name"] == "high_system_memory_usage" for a in active)
    bridge = mock.get("/api/v4/clients/bridge-to-cloud", auth=AUTH).json()["data"][0]
    assert bridge["is_bridge"] is True
    offline = mock.get("/api/v1/mqtt/clients/berlin-pressure-001").json()["client"]
    assert offline["connected"] is False


def test_big_fleet_starts_in_reasonable_time() -> None:
    scenario = load("big-fleet")
    started, cpu = time.perf_counter(), time.process_time()
    world = build_world(42, scenario.clients or 0, scenario.nodes or 3, scenario=scenario)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert world.client_count() == 50_000 and len(world.nodes) == 5
    assert world.plugin_active("emqx_prometheus")
    print(f"big-fleet: 50,000 clients in {elapsed:.1f} s ({cpu:.1f} s of CPU)")
    assert cpu < 30  # CPU time: the wall time depends on what else the machine runs


def test_every_shipped_scenario_loads() -> None:
    assert {"empty-cluster", "degraded-node", "big-fleet"} <= set(available())
    for name in available():
        assert load(name).description


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("clients: 3\n", 1, "missing 'description'"),
        ("description: x\nclients: -1\n", 2, "integer >= 0"),
        ("description: x\nnodez: 3\n", 2, "unknown key 'nodez'"),
        (
            "description: x\nnodes:\n  - name: a@b\nalarms:\n  - {node: c@d, name: x}\n",
            5,
            "no node named",
        ),
        ("description: x\nplugins:\n  emqx_nope: true\n", 3, "unknown key 'emqx_nope'"),
        (
            "description: x\nnamed_clients:\n"
            "  - clientid: a\n    connected: false\n    session_expiry: 0\n",
            3,
            "needs a session",
        ),
        (
            "description: x\nnamed_clients:\n  - {clientid: a, protocol: '6'}\n",
            3,
            "expected one of",
        ),
        ("description: [unclosed\n", 2, "not YAML"),
    ],
)
def test_errors_name_the_file_and_the_line(text: str, line: int, words: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        parse(text, "my.yaml", "my")
    assert str(caught.value).startswith(f"my.yaml:{line}:"), str(caught.value)
    assert words in str(caught.value)


def test_any_path_and_a_bad_rule(tmp_path: Path) -> None:
    good = tmp_path / "mine.yaml"
    good.write_text("description: mine\nclients: 3\nnodes: 2\n")
    assert load(str(good)).clients == 3
    bad = tmp_path / "bad.yaml"
    bad.write_text("description: x\nrules:\n  - rawsql: 'SELEKT * FROM'\n")
    scenario = load(str(bad))
    with pytest.raises(ScenarioError, match=r"bad.yaml:3: rules"):
        build_world(1, 2, 1, scenario=scenario)
    with pytest.raises(ScenarioError, match="no scenario named"):
        load("no-such-scenario")


def test_a_scenarios_rules_are_created_with_their_actions(tmp_path: Path) -> None:
    """A scenario's rule is what `POST /rules` with the same fields creates: its actions
    parsed as `parse_actions/1` does and completed with the action's defaults."""
    text = (
        'description: x\nrules:\n  - id: rule:mine\n    rawsql: SELECT * FROM "t/#"\n'
        "    actions:\n      - name: republish\n        params: {target_topic: t2, target_qos: 1}\n"
    )
    mine = tmp_path / "mine.yaml"
    mine.write_text(text)
    world = build_world(1, 2, 1, scenario=load(str(mine)))
    rule = world.rule_engine.rule("rule:mine")
    assert rule is not None and list(rule.topics) == ["t/#"]
    [action] = rule.actions
    assert action.name == "republish"
    assert action.params == {
        "target_topic": "t2",
        "target_qos": 1,
        "target_retain": False,
        "payload_tmpl": "${payload}",
    }
    bad = tmp_path / "bad.yaml"
    bad.write_text('description: x\nrules:\n  - rawsql: SELECT * FROM "t"\n    actions: [{}]\n')
    with pytest.raises(ScenarioError, match=r"bad.yaml:3: rules"):
        build_world(1, 2, 1, scenario=load(str(bad)))
