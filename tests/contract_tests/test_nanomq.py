"""The suite against a real broker: NanoMQ (EMQX Edge), whose EMQX-shaped `/api/v4` serves a
part of EMQX 4's API. Optional: runs only with `NANOMQ=/path/to/nanomq` (a binary built from
github.com/nanomq/nanomq; the README's "Testing NanoMQ / EMQX Edge" says how and what to expect).

The broker is started on loopback ports with its HTTP API on (Basic, admin:public, its
defaults), three MQTT clients stay connected through the run, and the suite runs as a user
would run it. What must hold is what the README reports: most operations are *not served*
(never failed), the real differences are failures, nothing errors.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from ..support import free_port

NANOMQ = os.environ.get("NANOMQ", "")
pytestmark = [
    pytest.mark.slow,  # runs `mqtt-api test` in a subprocess
    pytest.mark.skipif(
        not (NANOMQ and os.access(NANOMQ, os.X_OK)), reason="set NANOMQ=/path/to/nanomq to run"
    ),
]

CONFIG = """
listeners.tcp {{ bind = "127.0.0.1:{mqtt}" }}
http_server {{
    port = {http}
    ip_addr = "127.0.0.1"
    limit_conn = 2
    username = admin
    password = public
    auth_type = basic
}}
log {{ to = [console], level = warn }}
"""


def _string(text: str) -> bytes:
    data = text.encode()
    return len(data).to_bytes(2, "big") + data


def _packet(kind: int, body: bytes) -> bytes:
    size, encoded = len(body), bytearray()
    while True:
        byte, size = size % 128, size // 128
        encoded.append(byte | (0x80 if size else 0))
        if not size:
            return bytes([kind]) + bytes(encoded) + body


@contextmanager
def mqtt_client(port: int, client_id: str, username: str, topic: str) -> Iterator[None]:
    """An MQTT 3.1.1 client that connects, subscribes to `topic` and stays until the end."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    flags = 0x80 | 0x02  # user name, clean session
    connect = _string("MQTT") + bytes([4, flags]) + (120).to_bytes(2, "big")
    sock.sendall(_packet(0x10, connect + _string(client_id) + _string(username)))
    assert sock.recv(4)[:1] == b"\x20", "no CONNACK"
    sock.sendall(_packet(0x82, (1).to_bytes(2, "big") + _string(topic) + b"\x01"))
    assert sock.recv(5)[:1] == b"\x90", "no SUBACK"
    try:
        yield
    finally:
        sock.close()


@contextmanager
def nanomq(tmp: Path) -> Iterator[str]:
    mqtt, http = free_port(), free_port()
    conf = tmp / "nanomq.conf"
    conf.write_text(CONFIG.format(mqtt=mqtt, http=http))
    log = (tmp / "nanomq.log").open("wb")
    broker = subprocess.Popen(
        [NANOMQ, "start", "--conf", str(conf)], stdout=log, stderr=subprocess.STDOUT, cwd=tmp
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", http), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or broker.poll() is not None:
                    raise RuntimeError((tmp / "nanomq.log").read_text()) from None
                time.sleep(0.1)
        with ExitStack() as clients:
            for n in range(1, 4):
                clients.enter_context(mqtt_client(mqtt, f"probe-{n}", f"user{n}", f"site/{n}/#"))
            yield f"http://127.0.0.1:{http}/api/v4"
    finally:
        broker.terminate()
        try:
            broker.wait(10)
        except subprocess.TimeoutExpired:
            broker.kill()
        log.close()


def test_the_suite_tells_the_truth_about_nanomq(tmp_path: Path) -> None:
    env = dict(os.environ, MQTT_API_AUTH="admin:public")
    with nanomq(tmp_path) as url:
        result = subprocess.run(
            [sys.executable, "-m", "mqtt_api_kit.contract_tests", url, "--seed", "1"],
            capture_output=True,
            text=True,
            timeout=900,
            env=env,
        )
    out = result.stdout
    rows = [line.split()[0:2] for line in out.splitlines() if line.startswith("  ")]
    kinds = [" ".join(r) if r[:2] == ["NOT", "SERVED"] else r[0] for r in rows if r]
    assert result.returncode == 1, out[-4000:]
    assert kinds.count("NOT SERVED") >= 50, out[-4000:]
    assert "ERROR" not in kinds and "NOT RUN" not in kinds, out[-4000:]
    # the differences the README names
    assert "NOT SERVED GET /nodes/{node}/clients" in out
    assert "FAIL       GET /metrics" in out and '"code" is a required property' in out
    assert "FAIL       GET /clients " in out or "FAIL       GET /clients\n" in out
    assert "auth_challenge: 401 without WWW-Authenticate" in out
    assert "discovery found" in out and "no client ids" in out
