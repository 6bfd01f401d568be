"""The cross-endpoint invariants of `emqx_v4/test_invariants.py` hold with real sessions too:
real clients connect, subscribe, publish, go offline and are kicked between the checks."""

from __future__ import annotations

from typing import Any

from ..emqx_v4.test_invariants import check, snapshot
from .conftest import Mock, wait_for
from .peer import Peer


def test_real_sessions_keep_every_view_consistent(mock: Mock) -> None:
    with mock.api() as api:
        before = snapshot(api)  # type: ignore[arg-type]
        check(before, before, set())
        touched: set[str] = set()

        def step() -> None:
            nonlocal before
            now: dict[str, Any] = snapshot(api)  # type: ignore[arg-type]
            check(now, before, touched)
            before = now

        a = Peer("inv-a", mock.mqtt_port, version=5)
        b = Peer("inv-b", mock.mqtt_port, clean=False)
        c = Peer("inv-c", mock.ws_port, transport="websockets")
        for peer in (a, b, c):
            touched.add(peer.client._client_id.decode())
            peer.connect()
            step()
        a.subscribe("inv/#", 1)
        b.subscribe("$share/g/inv/+", 2)
        c.subscribe("inv/+/x", 0)
        step()
        a.publish("inv/1", b"1", qos=1, retain=True)
        api.post("/api/v4/mqtt/subscribe", json={"topic": "extra/t", "clientid": "inv-c"})
        step()
        b.close()  # persistent: stays, offline, with its subscription
        wait_for(lambda: api.get("/api/v4/clients/inv-b").json()["data"][0]["connected"] is False)
        step()
        api.delete("/api/v4/clients/inv-a")
        assert a.disconnected.wait(5)
        step()
        c.drop()
        wait_for(lambda: api.get("/api/v4/clients/inv-c").json()["data"] == [])
        step()
        assert b.client._client_id.decode() in before["clients"]
