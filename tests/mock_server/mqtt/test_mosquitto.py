"""The README's walk-through, for real: `mqtt-api mock` with Debian's mosquitto-clients.

Skipped when `mosquitto_sub`/`mosquitto_pub` are not installed (`.ci/run` installs them).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

from ...support import AUTH, free_port

pytestmark = pytest.mark.skipif(
    shutil.which("mosquitto_sub") is None or shutil.which("mosquitto_pub") is None,
    reason="mosquitto-clients not installed",
)


@pytest.fixture(scope="module")
def mock() -> Iterator[tuple[str, int]]:
    http, mqtt, ws = free_port(), free_port(), free_port()
    # frozen: the living cluster would move the counters this test compares
    cmd = [sys.executable, "-m", "mqtt_api_kit", "mock", "--clock", "frozen", "--port", str(http)]
    cmd += ["--mqtt-port", str(mqtt), "--ws-port", str(ws)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{http}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                httpx.get(base + "/api/v4/clients", timeout=1)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                assert time.monotonic() < deadline, "the mock did not start"
                time.sleep(0.1)
        yield base, mqtt
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _listed(base: str, clientid: str) -> list[dict[str, object]]:
    rows = httpx.get(f"{base}/api/v4/clients", params={"clientid": clientid}, auth=AUTH).json()
    return list(rows["data"])


def test_mosquitto_sub_is_listed_and_receives_an_api_publish(mock: tuple[str, int]) -> None:
    base, port = mock
    sub = subprocess.Popen(
        ["mosquitto_sub", "-h", "127.0.0.1", "-p", str(port), "-t", "demo/#", "-i", "me"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 10
        while not _listed(base, "me"):
            assert time.monotonic() < deadline, "mosquitto_sub never showed up"
            time.sleep(0.05)
        [row] = _listed(base, "me")
        assert row["proto_ver"] == 4 and row["ip_address"] == "127.0.0.1"
        body = {"topic": "demo/1", "payload": "hi", "clientid": "api"}
        assert httpx.post(f"{base}/api/v4/mqtt/publish", json=body, auth=AUTH).json() == {"code": 0}
        assert sub.stdout is not None
        assert sub.stdout.readline() == "hi\n"
        assert httpx.delete(f"{base}/api/v4/clients/me", auth=AUTH).json()["code"] == 0
        # The kick closed the connection: mosquitto_sub reconnects, from another port.
        deadline = time.monotonic() + 10
        while [r["port"] for r in _listed(base, "me")] in ([], [row["port"]]):
            assert time.monotonic() < deadline, "the kicked connection was not closed"
            time.sleep(0.05)
    finally:
        sub.kill()


def test_mosquitto_pub_is_counted_and_a_banned_client_is_refused(mock: tuple[str, int]) -> None:
    base, port = mock
    metrics = f"{base}/api/v4/metrics"
    before = sum(
        n["metrics"]["messages.received"] for n in httpx.get(metrics, auth=AUTH).json()["data"]
    )
    pub = ["mosquitto_pub", "-h", "127.0.0.1", "-p", str(port), "-t", "demo/x", "-m", "1"]
    subprocess.run([*pub, "-V", "mqttv5", "-q", "1"], check=True, timeout=10)
    after = sum(
        n["metrics"]["messages.received"] for n in httpx.get(metrics, auth=AUTH).json()["data"]
    )
    assert after == before + 1
    ban = {"who": "villain", "as": "clientid", "reason": "test"}
    assert httpx.post(f"{base}/api/v4/banned", json=ban, auth=AUTH).json()["code"] == 0
    refused = subprocess.run(
        [*pub, "-i", "villain"], capture_output=True, text=True, timeout=10, check=False
    )
    assert refused.returncode != 0
    assert "not authori" in (refused.stderr + refused.stdout).lower()  # MQTT 3.1.1 code 5
