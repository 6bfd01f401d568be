"""Cross-endpoint invariants under random write sequences through the HTTP API.

After every step: each client's `subscriptions_cnt` equals its rows in `/subscriptions`;
`/routes` is exactly the distinct (topic, node) pairs of the subscriptions; `/stats` agrees
with the lists; metrics never decrease; no client disappears except by a kick or a listener
restart, and no subscription of an untouched client changes.
"""

from __future__ import annotations

from collections import Counter
from typing import Any
from urllib.parse import quote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import build_world
from mqtt_api_kit.fixtures.topics import split_share
from mqtt_api_kit.mock_server import MockConfig, create_app

from ...support import AUTH_HEADERS

TOPICS = st.sampled_from(
    ["a/b", "a/+", "a/#", "#", "$share/g/a/b", "x/y/z", "a/#/b", "", "factory/berlin/#"]
)
NAMES = st.sampled_from(["a/b", "x/y/z", "factory/berlin/line/1/co2", "a/+", "nobody/here"])


def step_strategy(clientids: list[str]) -> st.SearchStrategy[tuple[str, Any]]:
    cid = st.sampled_from([*clientids, "ghost"])
    sub = st.fixed_dictionaries(
        {"clientid": cid, "topic": TOPICS}, optional={"qos": st.sampled_from([0, 1, 2, 3, "1"])}
    )
    pub = st.fixed_dictionaries(
        {"topic": NAMES},
        optional={
            "payload": st.sampled_from(["", "x", "payload"]),
            "retain": st.booleans(),
            "qos": st.sampled_from([0, 1, 2]),
        },
    )
    return st.one_of(
        st.tuples(st.just("subscribe"), sub),
        st.tuples(
            st.just("unsubscribe"), st.fixed_dictionaries({"clientid": cid, "topic": TOPICS})
        ),
        st.tuples(st.just("publish"), pub),
        st.tuples(st.just("kick"), cid),
        st.tuples(st.just("subscribe_batch"), st.lists(sub, max_size=3)),
        st.tuples(st.just("publish_batch"), st.lists(pub, max_size=3)),
    )


def apply(client: TestClient, kind: str, arg: Any) -> set[str]:
    """Send one write; the client ids it may legitimately change."""
    if kind == "kick":
        assert client.delete(f"/api/v4/clients/{quote(arg, safe='')}").json() == {"code": 0}
        return {arg}
    r = client.post(f"/api/v4/mqtt/{kind}", json=arg)
    assert r.status_code == 200 and r.json()["code"] in (0, 108, 112, 115, 116), r.text
    items = arg if isinstance(arg, list) else [arg]
    return {i["clientid"] for i in items if isinstance(i, dict) and "clientid" in i}


def snapshot(client: TestClient) -> dict[str, Any]:
    clients = client.get("/api/v4/clients").json()["data"]
    subs = client.get("/api/v4/subscriptions").json()["data"]
    return {
        "clients": {c["clientid"]: c for c in clients},
        "subs": subs,
        "routes": client.get("/api/v4/routes").json(),
        "stats": {s["node"]: s["stats"] for s in client.get("/api/v4/stats").json()["data"]},
        "metrics": {m["node"]: m["metrics"] for m in client.get("/api/v4/metrics").json()["data"]},
    }


def check(now: dict[str, Any], before: dict[str, Any], touched: set[str]) -> None:
    per_client = Counter(s["clientid"] for s in now["subs"])
    for cid, c in now["clients"].items():
        assert c["subscriptions_cnt"] == per_client[cid], cid
    assert set(per_client) <= set(now["clients"])
    expected_routes = {(split_share(s["topic"])[1], s["node"]) for s in now["subs"]}
    routes = now["routes"]
    assert {(r["topic"], r["node"]) for r in routes["data"]} == expected_routes
    assert routes["meta"]["count"] == len(routes["data"]) == len(expected_routes)
    for node, stats in now["stats"].items():
        mine = [s for s in now["subs"] if s["node"] == node]
        assert stats["subscriptions.count"] == len(mine)
        assert stats["subscriptions.shared.count"] == sum(
            s["topic"].startswith("$share/") for s in mine
        )
        assert stats["routes.count"] == len({r for r in expected_routes if r[1] == node})
        assert stats["channels.count"] == sum(c["node"] == node for c in now["clients"].values())
        for key, value in stats.items():
            if key.endswith(".count"):
                assert stats[key.replace(".count", ".max")] >= value
    for node, metrics in now["metrics"].items():
        old = before["metrics"][node]
        assert all(metrics.get(k, 0) >= v for k, v in old.items()), node
    untouched = set(before["clients"]) - touched
    assert untouched <= set(now["clients"])
    old_subs = {
        (s["clientid"], s["topic"], s["qos"]) for s in before["subs"] if s["clientid"] in untouched
    }
    new_subs = {
        (s["clientid"], s["topic"], s["qos"]) for s in now["subs"] if s["clientid"] in untouched
    }
    assert old_subs == new_subs


WORLD = build_world(seed=11, clients=40, nodes=3)
CLIENTIDS = [c.clientid for c in WORLD.clients()][:12]
# One app for every example: the invariants must hold from any reachable state, and building
# the app (it loads the whole document) per example would dominate the run.
CLIENT = TestClient(create_app(WORLD, MockConfig()), headers=AUTH_HEADERS)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.lists(step_strategy(CLIENTIDS), min_size=1, max_size=8))
def test_writes_keep_every_view_consistent(steps: list[tuple[str, Any]]) -> None:
    before = snapshot(CLIENT)
    check(before, before, set())
    for kind, arg in steps:
        touched = apply(CLIENT, kind, arg)
        now = snapshot(CLIENT)
        check(now, before, touched)
        before = now
