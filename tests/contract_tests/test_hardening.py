"""The suite against broken and hostile targets (`hostile.py`): bounded memory, bounded time, no
secret in any argv or output, and the documented exit codes when a target dies mid-run."""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send

from mqtt_api_kit.fixtures import build_world
from mqtt_api_kit.mock_server import MockConfig, create_app

from ..support import free_port
from .hostile import bomb_handler, drip_handler, echo_handler, gzip_bomb, hostile

GIB = 1024**3
SUITE = [sys.executable, "-m", "mqtt_api_kit.contract_tests"]

# Runs the suite as a child and reports the peak RSS of the largest process it waited for
# (the runner, or the Schemathesis child the runner waited for).
MEASURED = """
import resource, subprocess, sys
code = subprocess.call(sys.argv[1:])
print("MAXRSS_KIB", resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
sys.exit(code)
"""


def run(*argv: str, env: dict[str, str] | None = None, timeout: float = 300):
    return subprocess.run([*SUITE, *argv], capture_output=True, text=True, timeout=timeout, env=env)


def measured(*argv: str) -> tuple[subprocess.CompletedProcess[str], int]:
    result = subprocess.run(
        [sys.executable, "-c", MEASURED, *SUITE, *argv],
        capture_output=True,
        text=True,
        timeout=300,
    )
    line = next(x for x in result.stderr.splitlines() if x.startswith("MAXRSS_KIB"))
    return result, int(line.split()[1]) * 1024


def test_the_bomb_really_is_one() -> None:
    assert len(gzip_bomb()) < 2 * 1024 * 1024  # about 1 MiB on the wire, 1 GiB inflated


@pytest.mark.slow
def test_a_gzip_bomb_in_the_preflight_is_a_clear_error_in_bounded_memory() -> None:
    with hostile(bomb_handler) as base:
        result, rss = measured(base + "/api/v4")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "larger than the 10 MiB cap" in result.stderr and "Traceback" not in result.stderr
    assert rss < GIB, f"peak RSS {rss / 2**20:.0f} MiB"


@pytest.mark.slow
def test_gzip_bombs_during_the_run_are_errors_not_passes_in_bounded_memory() -> None:
    with hostile(bomb_handler) as base:
        result, rss = measured(
            base + "/api/v4",
            *("--no-preflight", "--no-discovery", "--no-probes", "--max-examples", "3"),
            *("--include", "^GET /(clients|nodes)$"),
        )
    out = result.stdout
    assert result.returncode == 2, out + result.stderr
    assert "ERROR      GET /clients" in out and "larger than the 10 MiB cap" in out
    assert "PASS " not in out
    assert rss < GIB, f"peak RSS {rss / 2**20:.0f} MiB"


@pytest.mark.slow
def test_a_dripping_target_ends_within_the_request_timeout() -> None:
    with hostile(drip_handler(0.3)) as base:
        start = time.monotonic()
        result = run(base + "/api/v4", "--request-timeout", "2")
        took = time.monotonic() - start
    assert result.returncode == 2
    assert "no complete answer within 2 s" in result.stderr
    assert took < 15, f"{took:.1f} s"


@pytest.mark.slow
def test_a_dripping_target_ends_within_the_budget() -> None:
    budget = 12
    with hostile(drip_handler(0.3)) as base:
        start = time.monotonic()
        result = run(
            base + "/api/v4",
            *("--no-preflight", "--no-discovery", "--request-timeout", "3"),
            *("--budget", str(budget), "--include", "^GET /(clients|nodes|stats|metrics)$"),
        )
        took = time.monotonic() - start
    assert result.returncode == 2, result.stdout[-3000:]
    assert "PASS " not in result.stdout
    # the budget, plus the child's stop (SIGTERM, then SIGKILL after 5 s) and start-up
    assert took < budget + 15, f"{took:.1f} s"


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_an_interrupted_run_is_exit_2_and_leaves_no_child_behind(sig: signal.Signals) -> None:
    """A CI cancel (SIGTERM) or Ctrl-C stops the Schemathesis child too: it runs in its own
    session (so the budget can stop all of it) and would go on hitting the target."""
    with hostile(drip_handler(0.3)) as base:
        runner = subprocess.Popen(
            [*SUITE, base + "/api/v4", "--no-preflight", "--no-discovery"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 60
        while not (children := _children(runner.pid)) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert children, "the runner started no child"
        time.sleep(2)  # the child is mid-run, waiting on the dripping target
        runner.send_signal(sig)
        out, err = runner.communicate(timeout=60)
    assert runner.returncode == 2, out[-2000:] + err[-2000:]
    assert "the run is incomplete" in err and "Traceback" not in err
    assert "PASS " not in out
    assert not [pid for pid in children if _alive(pid)], "the child outlived the runner"


class _CmdlineWatch:
    """Samples every process's command line while a run goes on."""

    def __init__(self, needles: list[str]) -> None:
        self.needles, self.seen = needles, 0
        self.hits: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not self._stop.is_set():
            for entry in Path("/proc").iterdir():
                if not entry.name.isdigit():
                    continue
                try:
                    cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
                except OSError:
                    continue
                if "mqtt_api_kit" in cmdline:
                    self.seen += 1
                self.hits += [cmdline for n in self.needles if n in cmdline]
            time.sleep(0.05)

    def __enter__(self) -> _CmdlineWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@pytest.mark.slow
def test_the_secret_is_in_no_argv_and_no_output_even_when_echoed(tmp_path: Path) -> None:
    secret = "t0p-s3cret-echo"
    pair = f"ops:{secret}"
    forms = [secret, base64.b64encode(pair.encode()).decode()]
    reports = {
        flag: tmp_path / f"report.{flag.strip('-')}" for flag in ("--junit", "--har", "--vcr")
    }
    env = dict(os.environ, MQTT_API_AUTH=pair)
    with hostile(echo_handler) as base, _CmdlineWatch(forms) as watch:
        result = run(
            base + "/api/v4",
            *("--max-examples", "3", "--include", "^GET /clients$"),
            *(arg for flag, path in reports.items() for arg in (flag, str(path))),
            env=env,
        )
    assert result.returncode == 1, result.stdout[-3000:] + result.stderr[-2000:]
    assert watch.seen, "the watch never saw the suite's processes"
    assert not watch.hits, watch.hits
    for text in (result.stdout, result.stderr, *(p.read_text() for p in reports.values())):
        for form in forms:
            assert form not in text
    assert "***" in reports["--har"].read_text()  # the echo was there, and masked


class _DiesAfter:
    """The faithful mock, until it has answered `count` requests: then the server goes away."""

    def __init__(self, app: ASGIApp, count: int) -> None:
        self.app, self.count = app, count
        self.server: uvicorn.Server | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.count -= 1
            if self.count <= 0 and self.server is not None:
                self.server.should_exit = True
        await self.app(scope, receive, send)


@contextmanager
def dying_target(count: int) -> Iterator[str]:
    app = _DiesAfter(create_app(build_world(seed=5, clients=60), MockConfig()), count)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    app.server = server
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.mark.slow
def test_a_target_that_dies_mid_run_is_exit_2_and_no_pass() -> None:
    with dying_target(60) as base:
        result = run(
            base + "/api/v4",
            *("--max-examples", "10", "--seed", "1", "--request-timeout", "5"),
            *("--include", "^GET /(clients|nodes|stats|metrics|routes|subscriptions)$"),
        )
    out = result.stdout
    assert result.returncode == 2, out[-3000:]
    assert "PASS " not in out, out[-3000:]
    assert "run incomplete" in out
