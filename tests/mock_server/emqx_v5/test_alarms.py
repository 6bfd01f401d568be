"""`/alarms` through /api/v5: the world's node alarms, active by default."""

from __future__ import annotations

from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import World


def test_active_by_default_then_the_history(api: TestClient, world: World) -> None:
    node = world.cluster.running_names()[0]
    assert world.activate_alarm(node, "high_cpu_usage", "CPU 91%", {"usage": "91%"})
    assert world.activate_alarm(node, "too_many_processes")
    assert world.deactivate_alarm(node, "too_many_processes")
    active = api.get("/api/v5/alarms").json()
    names = [(a["node"], a["name"]) for a in active["data"]]
    assert (node, "high_cpu_usage") in names and (node, "too_many_processes") not in names
    assert active["meta"]["count"] == len(active["data"]) and active["meta"]["hasnext"] is False
    cleared = api.get("/api/v5/alarms", params={"activated": "false"}).json()["data"]
    mine = [a for a in cleared if a["name"] == "too_many_processes" and a["node"] == node]
    gone = max(mine, key=lambda a: a["activate_at"])  # the seeded history may have others
    assert gone["deactivate_at"] >= gone["activate_at"] and gone["duration"] >= 0
    assert api.get("/api/v5/alarms", params={"limit": 1}).json()["meta"]["limit"] == 1

    assert api.delete("/api/v5/alarms").status_code == 204
    assert api.get("/api/v5/alarms", params={"activated": "false"}).json()["data"] == []
    assert any(a["name"] == "high_cpu_usage" for a in api.get("/api/v5/alarms").json()["data"])
    # the same alarms through 4.x
    v4 = api.get("/api/v4/alarms", auth=("admin", "public")).json()["data"]
    assert any(a["name"] == "high_cpu_usage" for row in v4 for a in row["alarms"])
