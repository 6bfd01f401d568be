"""`/cluster…` through /api/v5: a node made to leave is gone for EMQX 4 too, with its clients;
invitations of nodes no one can reach fail as the rpc does; a node that left can come back."""

from __future__ import annotations

from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import World


def _v4_nodes(api: TestClient) -> set[str]:
    return {n["node"] for n in api.get("/api/v4/nodes").json()["data"]}


def test_cluster_and_topology_name_the_running_nodes(api: TestClient, world: World) -> None:
    running = world.cluster.running_names()
    info = api.get("/api/v5/cluster").json()
    assert info == {"name": "emqxcl", "nodes": running, "self": running[0]}
    topology = api.get("/api/v5/cluster/topology").json()
    assert [t["core_node"] for t in topology] == running


def test_force_leave_then_invite_back(api: TestClient, world: World) -> None:
    running = world.cluster.running_names()
    assert len(running) > 1, "the seeded world has more than one running node"
    leaving = running[-1]
    clients = [c.clientid for c in world.clients(leaving)]
    assert api.delete(f"/api/v5/cluster/{leaving}/force_leave").status_code == 204
    assert leaving not in api.get("/api/v5/cluster").json()["nodes"]
    assert leaving not in _v4_nodes(api)
    assert all(world.client(c) is None for c in clients)
    again = api.delete(f"/api/v5/cluster/{leaving}/force_leave")
    assert again.json() == {"code": "BAD_REQUEST", "message": "node_not_in_cluster"}
    assert api.put(f"/api/v5/cluster/{leaving}/invite", json={"timeout": 5000}).status_code == 200
    assert leaving in api.get("/api/v5/cluster").json()["nodes"] and leaving in _v4_nodes(api)


def test_refusals(api: TestClient, world: World) -> None:
    me, other = world.cluster.running_names()[0], world.cluster.running_names()[-1]
    self_leave = api.delete(f"/api/v5/cluster/{me}/force_leave")
    assert self_leave.json() == {"code": "BAD_REQUEST", "message": "Can't leave self"}
    assert (
        api.put(f"/api/v5/cluster/{me}/invite", json={}).json()["message"] == "Cannot invite self"
    )
    short = api.put(f"/api/v5/cluster/{other}/invite", json={"timeout": 10})
    assert short.json()["message"] == "timeout cannot be less than 5000ms"
    member = api.put(f"/api/v5/cluster/{other}/invite", json={})
    assert member.status_code == 400 and "already_in_cluster" in member.json()["message"]
    nobody = api.put("/api/v5/cluster/ghost@10.9.9.9/invite", json={})
    assert nobody.json() == {"code": "BAD_REQUEST", "message": "nodedown"}
    assert "ghost@10.9.9.9" not in api.get("/api/v5/cluster").json()["nodes"]


def test_async_invitations_are_recorded(api: TestClient, world: World) -> None:
    me, other = world.cluster.running_names()[0], world.cluster.running_names()[-1]
    assert api.put(f"/api/v5/cluster/{me}/invite_async").json()["message"] == "Can't invite self"
    assert api.put("/api/v5/cluster/ghost/invite_async").status_code == 200
    assert api.put(f"/api/v5/cluster/{other}/invite_async").status_code == 200
    status = api.get("/api/v5/cluster/invitation").json()
    host = me.split("@", 1)[1]
    failed = {f["node"]: f for f in status["failed"]}
    assert failed[f"ghost@{host}"]["reason"] == "{error,{badrpc,nodedown}}"
    assert [s["node"] for s in status["succeed"]] == [other] and status["in_progress"] == []
