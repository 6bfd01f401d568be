"""Side by side under load: our mock, Stoplight Prism (static and `-d`) on our documents, and a
bare ASGI app returning the mock's own bytes (`bare.py`).

Every server runs on core 0 (`taskset -c 0`), wrk on core 1 (16 connections, one thread);
the servers are measured in alternating order, round after round, and each figure is the
median over the rounds: on a shared machine the ratios hold better than the rates. Prism is
installed from npm into bench/prism/ on first use (`make bench` does it; `npm ci`).

Environment: BENCH_SECONDS (per run, default 5), BENCH_ROUNDS (default 3),
BENCH_CONNECTIONS (default 16).
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from mqtt_api_kit.openapi import document_path
from mqtt_api_kit.registry import EMQX_V4, HIVEMQ

from .server import free_port

HERE = Path(__file__).resolve().parent
PRISM = HERE / "prism" / "node_modules" / ".bin" / "prism"
SERVER_CORE, LOAD_CORE = "0", "1"
AUTH = "Basic " + base64.b64encode(b"admin:public").decode()
PUBLISH = json.dumps({"topic": "bench/t", "payload": "hello", "qos": 0, "clientid": "bench"})


@dataclass(frozen=True)
class Endpoint:
    label: str
    api: str  # "emqx" or "hivemq": which document and base path
    method: str
    path: str  # below the base path; `{clientid}` is a client of the mock's world
    body: str | None = None


ENDPOINTS = (
    Endpoint("GET /clients?_page=1&_limit=10", "emqx", "GET", "/clients?_page=1&_limit=10"),
    Endpoint("GET /clients?_limit=100", "emqx", "GET", "/clients?_limit=100"),
    Endpoint("GET /clients/{id}", "emqx", "GET", "/clients/{clientid}"),
    Endpoint("GET /stats", "emqx", "GET", "/stats"),
    Endpoint("POST /mqtt/publish", "emqx", "POST", "/mqtt/publish", PUBLISH),
    Endpoint("HiveMQ GET /mqtt/clients?limit=100", "hivemq", "GET", "/mqtt/clients?limit=100"),
)
SERVERS = ("mock", "prism -d", "prism static", "bare ASGI")
BASE = {"emqx": EMQX_V4.base_path, "hivemq": HIVEMQ.base_path}
DOCUMENT = {"emqx": EMQX_V4.document, "hivemq": HIVEMQ.document}


@dataclass
class Sample:
    rate: float
    p50: float  # ms
    p99: float  # ms
    bad: int  # non-2xx answers or socket errors


def _pinned(core: str, argv: list[str]) -> list[str]:
    return ["taskset", "-c", core, *argv] if shutil.which("taskset") else argv


@contextmanager
def _process(
    argv: list[str], probe: str, timeout: float = 600
) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                httpx.get(probe, timeout=2, headers={"Authorization": AUTH})
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError(f"did not start: {' '.join(argv)}") from None
                time.sleep(0.02)  # start-up is measured to this resolution
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def mock_argv(port: int, clients: int) -> list[str]:
    return [
        sys.executable, "-m", "mqtt_api_kit", "mock", "--no-mqtt",
        "--port", str(port), "--clients", str(clients),
    ]  # fmt: skip


def ensure_prism() -> Path:
    if not PRISM.exists():
        if shutil.which("npm") is None:
            raise RuntimeError("npm is needed to install Stoplight Prism into bench/prism/")
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--prefix", str(HERE / "prism")], check=True
        )
    return PRISM


_UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text.strip()).groups()
    return float(number) * _UNIT[unit]


def wrk(url: str, endpoint: Endpoint, seconds: int, connections: int) -> Sample:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        body = "nil" if endpoint.body is None else json.dumps(endpoint.body)
        script.write(
            f'wrk.method = "{endpoint.method}"\nwrk.body = {body}\n'
            f'wrk.headers["Authorization"] = "{AUTH}"\n'
            'wrk.headers["Content-Type"] = "application/json"\n'
        )
    argv = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script.name]
    try:
        out = subprocess.run(
            _pinned(LOAD_CORE, [*argv, url]), capture_output=True, text=True, check=True
        ).stdout
    finally:
        os.unlink(script.name)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))
    bad = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    bad += sum(int(n) for n in errors.groups()) if errors else 0
    return Sample(rate, p50, p99, bad)


def _bare_answers(mock: str, clientid: str) -> dict[str, list[object]]:
    """The mock's answer to every benchmarked request, keyed as bare.py looks them up."""
    answers: dict[str, list[object]] = {}
    with httpx.Client(base_url=mock, headers={"Authorization": AUTH}) as http:
        for e in ENDPOINTS:
            path = BASE[e.api] + e.path.format(clientid=clientid)
            reply = http.request(e.method, path, content=e.body, headers=_json(e))
            kind = reply.headers.get("content-type", "application/json")
            answers[f"{e.method} {path}"] = [reply.status_code, kind, reply.text]
    return answers


def _json(e: Endpoint) -> dict[str, str]:
    return {"Content-Type": "application/json"} if e.body is not None else {}


def _first_client(mock: str) -> str:
    reply = httpx.get(mock + BASE["emqx"] + "/clients?_limit=1", headers={"Authorization": AUTH})
    return str(reply.json()["data"][0]["clientid"])


def run(clients: int = 200) -> None:
    seconds = int(os.environ.get("BENCH_SECONDS", "5"))
    rounds = int(os.environ.get("BENCH_ROUNDS", "3"))
    connections = int(os.environ.get("BENCH_CONNECTIONS", "16"))
    if shutil.which("wrk") is None:
        print("  wrk is needed (apt-get install wrk)")
        return
    prism = ensure_prism()
    print(f"  load: {os.getloadavg()[0]:.2f} (1 min); {clients} clients; wrk {connections} "
          f"connections, {seconds} s x {rounds} alternating rounds; servers on core "
          f"{SERVER_CORE}, wrk on core {LOAD_CORE}", flush=True)  # fmt: skip
    with ExitStack() as stack:
        ports = {name: free_port() for name in ("mock", "bare")}
        mock = f"http://127.0.0.1:{ports['mock']}"
        stack.enter_context(
            _process(
                _pinned(SERVER_CORE, mock_argv(ports["mock"], clients)), mock + "/api/v4/stats"
            )
        )
        clientid = _first_client(mock)
        answers = Path(stack.enter_context(tempfile.TemporaryDirectory())) / "answers.json"
        answers.write_text(json.dumps(_bare_answers(mock, clientid)))
        bare = f"http://127.0.0.1:{ports['bare']}"
        bare_argv = [sys.executable, "-m", "bench.bare", str(answers), str(ports["bare"])]
        stack.enter_context(_process(_pinned(SERVER_CORE, bare_argv), bare + "/", timeout=60))
        roots: dict[tuple[str, str], str] = {}
        for api in ("emqx", "hivemq"):
            roots["mock", api] = mock + BASE[api]
            roots["bare ASGI", api] = bare + BASE[api]
            doc = str(stack.enter_context(document_path(DOCUMENT[api])))
            for label, flags in (("prism static", []), ("prism -d", ["-d"])):
                port = free_port()
                argv = [str(prism), "mock", "-h", "127.0.0.1", "-p", str(port), *flags, doc]
                root = f"http://127.0.0.1:{port}"
                stack.enter_context(_process(_pinned(SERVER_CORE, argv), root + "/", timeout=120))
                roots[label, api] = root
        samples: dict[tuple[str, str], list[Sample]] = {}
        for round_ in range(rounds):
            for i, e in enumerate(ENDPOINTS):
                shift = (round_ + i) % len(SERVERS)  # alternate who goes first
                for server in SERVERS[shift:] + SERVERS[:shift]:
                    url = roots[server, e.api] + e.path.format(clientid=clientid)
                    samples.setdefault((e.label, server), []).append(
                        wrk(url, e, seconds, connections)
                    )
    _report(samples)


def _median(samples: list[Sample], field: str) -> float:
    return statistics.median(getattr(s, field) for s in samples)


def _report(samples: dict[tuple[str, str], list[Sample]]) -> None:
    print(f"  {'endpoint':36} {'server':13} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
    for e in ENDPOINTS:
        for server in SERVERS:
            got = samples[e.label, server]
            bad = sum(s.bad for s in got)
            note = f"  ({bad} non-2xx/errors)" if bad else ""
            print(
                f"  {e.label:36} {server:13} {_median(got, 'rate'):8.0f} "
                f"{_median(got, 'p50'):8.2f} {_median(got, 'p99'):8.2f}{note}"
            )
    print()
    print(f"  {'endpoint':36} {'mock/Prism -d':>14} {'mock/Prism static':>18} {'mock/bare':>10}")
    for e in ENDPOINTS:
        ours = _median(samples[e.label, "mock"], "rate")
        ratio = [ours / _median(samples[e.label, s], "rate") for s in SERVERS[1:]]
        print(f"  {e.label:36} {ratio[0]:13.1f}x {ratio[1]:17.1f}x {ratio[2]:9.0%}")
