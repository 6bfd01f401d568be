"""`mqtt-api mock` as a user runs it: a real process on a real port."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from ..support import free_port


@contextmanager
def mock_process(*args: str) -> Iterator[str]:
    port = free_port()
    # No MQTT listeners: 1883 may be taken by another mock or broker on a shared machine.
    cmd = [sys.executable, "-m", "mqtt_api_kit", "mock", "--port", str(port), "--no-mqtt", *args]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(base + "/api/v4/clients", timeout=1)
                break
            except httpx.TransportError:
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                assert time.monotonic() < deadline, "the mock did not start"
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def fetch(base: str, path: str) -> bytes:
    response = httpx.get(base + path, auth=("admin", "public"), timeout=10)
    response.raise_for_status()
    return response.content


def test_a_second_start_with_the_same_seed_gives_identical_bytes() -> None:
    path = "/api/v4/clients?_limit=2"
    with mock_process("--seed", "7", "--clients", "300") as base:
        first = fetch(base, path)
    with mock_process("--seed", "7", "--clients", "300") as base:
        second = fetch(base, path)
    with mock_process("--seed", "8", "--clients", "300") as base:
        other = fetch(base, path)
    assert first == second
    assert first != other
    assert first.count(b'"clientid"') == 2


def test_credentials_and_no_auth_flags() -> None:
    with mock_process("--auth", "ops:pw") as base:
        assert httpx.get(base + "/api/v4/clients", auth=("ops", "pw")).status_code == 200
        assert httpx.get(base + "/api/v4/clients", auth=("admin", "public")).status_code == 401
    with mock_process("--no-auth") as base:
        assert httpx.get(base + "/api/v4/clients").json()["code"] == 0


def test_bad_credentials_flag_is_a_usage_error() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mqtt_api_kit", "mock", "--auth", "nocolon"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "USER:PASS" in result.stderr and "Traceback" not in result.stderr
