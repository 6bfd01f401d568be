"""`mqtt-api mock` as a user runs it: a real process on a real port."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from ..support import free_port


@contextmanager
def mock_process(*args: str) -> Iterator[str]:
    port = free_port()
    # No MQTT listeners: 1883 may be taken by another mock or broker on a shared machine.
    frozen = () if "--clock" in args else ("--clock", "frozen")
    cmd = [sys.executable, "-m", "mqtt_api_kit", "mock", "--port", str(port), "--no-mqtt"]
    cmd += [*frozen, *args]
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


def _run_mock(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mqtt_api_kit", "mock", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_frozen_answers_are_byte_identical_across_restarts() -> None:
    paths = ("/api/v4/stats", "/api/v4/metrics", "/api/v4/nodes", "/api/v2/management/nodes")
    with mock_process("--seed", "7", "--clients", "50") as base:
        first = [fetch(base, p) for p in paths]
        time.sleep(1.5)
        again = [fetch(base, p) for p in paths]
    with mock_process("--seed", "7", "--clients", "50") as base:
        second = [fetch(base, p) for p in paths]
    assert first == again == second


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--port", "99999"), "99999 is not a TCP port"),
        (("--log-level", "bogus"), "invalid choice: 'bogus'"),
        (("--auth", "admin"), "USER:PASS"),
        (("--scenario", "no-such"), "no scenario named 'no-such'"),
        (("--latency", "fast"), "MIN-MAX"),
        (("--error-rate", "2"), "between 0 and 1"),
    ],
)
def test_bad_flags_are_one_clear_sentence(args: tuple[str, ...], words: str) -> None:
    result = _run_mock(*args)
    assert result.returncode == 2, result
    assert words in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""  # no banner before the error


def test_an_auth_error_never_echoes_the_secret() -> None:
    result = _run_mock("--auth", "s3cr3t-but-no-colon")
    assert result.returncode == 2 and "s3cr3t" not in result.stderr + result.stdout


def test_a_port_in_use_is_an_error_before_any_banner() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = _run_mock("--port", str(port))
    assert result.returncode == 2
    assert f"port {port} on 127.0.0.1 is in use" in result.stderr
    assert result.stdout == "" and "Traceback" not in result.stderr


def test_ready_line_after_the_bind_and_one_log_line_per_request() -> None:
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "mqtt_api_kit",
        "mock",
        "--port",
        str(port),
        "--clients",
        "20",
        "--no-mqtt",
    ]
    proc = subprocess.Popen(
        [*cmd, "--log-requests"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        assert proc.stdout is not None
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("ready on"):
                break
        assert f"ready on http://127.0.0.1:{port}" in lines[-1]
        assert any("clock=live" in line for line in lines)
        answer = httpx.get(
            f"http://127.0.0.1:{port}/api/v4/clients?_limit=1&_=123", auth=("admin", "public")
        )
        assert answer.status_code == 200
        logged = proc.stdout.readline()
        assert "GET /api/v4/clients?_limit=1&_=123 200" in logged and "ms" in logged
    finally:
        proc.terminate()
        rest, _ = proc.communicate(timeout=10)
    assert "not defined in specification" not in rest  # no Connexion parameter noise
