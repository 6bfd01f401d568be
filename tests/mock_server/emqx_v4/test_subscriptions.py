"""`/subscriptions…` and `/routes…`: the two subscription code paths and the route table."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from mqtt_api_kit.fixtures.topics import matches, share_key


def rows(world, node=None):
    return [
        {"node": c.node, "clientid": s.clientid, "topic": share_key(s.group, s.topic), "qos": s.qos}
        for c, s in world.subscriptions(node)
    ]


@pytest.mark.read_only
def test_unfiltered_list_has_a_true_count(client, world) -> None:
    body = client.get("/api/v4/subscriptions", params={"_limit": 10}).json()
    everything = rows(world)
    assert body["data"] == everything[:10]
    assert body["meta"] == {"page": 1, "limit": 10, "count": len(everything), "hasnext": True}


@pytest.mark.read_only
def test_filters_make_count_minus_one(client, world) -> None:
    qos1 = client.get("/api/v4/subscriptions", params={"qos": 1}).json()
    assert qos1["data"] == [r for r in rows(world) if r["qos"] == 1]
    assert qos1["meta"]["count"] == -1
    shared = next(s for _, s in world.subscriptions() if s.group)
    body = client.get("/api/v4/subscriptions", params={"share": shared.group}).json()
    assert body["data"] and all(
        r["topic"].startswith(f"$share/{shared.group}/") for r in body["data"]
    )


@pytest.mark.read_only
def test_match_topic_uses_mqtt_matching(client, world) -> None:
    body = client.get("/api/v4/subscriptions", params={"_match_topic": "factory/+/#"}).json()
    expected = [
        r
        for r, (_, s) in zip(rows(world), world.subscriptions(), strict=True)
        if matches("factory/+/#", s.topic)
    ]
    assert body["data"] == expected and expected


@pytest.mark.read_only
def test_topic_path_is_paged_in_memory(client, world) -> None:
    topic = max(
        {s.topic for _, s in world.subscriptions()},
        key=lambda t: sum(1 for _, s in world.subscriptions() if s.topic == t),
    )
    matching = [
        r for r, (_, s) in zip(rows(world), world.subscriptions(), strict=True) if s.topic == topic
    ]
    body = client.get("/api/v4/subscriptions", params={"topic": topic, "_limit": 1}).json()
    assert body["meta"] == {
        "page": 1,
        "limit": 1,
        "count": len(matching),
        "hasnext": len(matching) > 1,
    }
    assert body["data"] == matching[:1]


@pytest.mark.read_only
def test_node_and_client_scopes(client, world) -> None:
    node = world.nodes[1].name
    body = client.get(f"/api/v4/nodes/{node}/subscriptions").json()
    assert body["data"] == rows(world, node)
    c, _ = next((c, s) for c, s in world.subscriptions() if c.node != node)
    assert client.get(
        f"/api/v4/nodes/{node}/subscriptions/{quote(c.clientid, safe='')}"
    ).json() == {"code": 0, "data": []}
    assert client.get("/api/v4/subscriptions/nobody").json() == {"code": 0, "data": []}


@pytest.mark.read_only
def test_routes_paging_style_two_and_encoded_topics(client, world) -> None:
    body = client.get("/api/v4/routes", params={"_limit": 5}).json()
    assert body["meta"] == {"page": 1, "limit": 5, "count": len(world.routes())}
    topic, node = next((t, n) for t, n in world.routes() if "/" in t)
    found = client.get("/api/v4/routes/" + quote(topic, safe="")).json()
    assert {"topic": topic, "node": node} in found["data"]
    assert client.get("/api/v4/routes/a%2fb%2fnothing").json() == {"code": 0, "data": []}


@pytest.mark.read_only
def test_bad_qos_filter_is_400_text(client) -> None:
    r = client.get("/api/v4/subscriptions", params={"qos": "high"})
    assert r.status_code == 400 and r.headers["content-type"].startswith("text/plain")
