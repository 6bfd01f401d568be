"""lib-ce/emqx_modules/test/emqx_slow_subs_api_SUITE.erl (v4.4.19): t_get_history and
t_clear (both cases).

The suite loads `emqx_mod_slow_subs` (and mocks `emqx_modules:find_module/1` to say so) and
writes rows into the top-k table itself; the world loads the module and records the same
rows (`Diagnostics.add_slow_sub`). It runs on one node: so does the world here.
"""

from __future__ import annotations

from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.fixtures.diagnostics import SlowSub

from .broker import load_module


def _ready(world: World) -> None:
    load_module(world, "emqx_mod_slow_subs")
    world.diagnostics.clear_slow_subs()  # a freshly loaded module starts with none


def test_t_get_history(single_client: TestClient, single_node: World) -> None:
    """emqx_slow_subs_api_SUITE.erl, t_get_history."""
    world = single_node
    _ready(world)
    now = world.now
    node = world.running_nodes()[0].name
    for i in range(1, 6):
        world.diagnostics.add_slow_sub(SlowSub(f"test_{i}", f"topic/{i}", node, i, now))
    data = single_client.get("/api/v4/slow_subscriptions").json()["data"]
    first = {
        "clientid": "test_5",
        "topic": "topic/5",
        "timespan": 5,
        "node": node,
        "last_update_time": now,
    }
    assert data[0] == first


def test_t_clear(single_client: TestClient, single_node: World) -> None:
    """emqx_slow_subs_api_SUITE.erl, t_clear."""
    world = single_node
    _ready(world)
    node = world.running_nodes()[0].name
    world.diagnostics.add_slow_sub(SlowSub("test", "test", node, 1, world.now))
    assert single_client.delete("/api/v4/slow_subscriptions").status_code == 200
    assert len(world.diagnostics.slow_subs) == 0
