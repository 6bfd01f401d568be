"""World-size figures of the mock process: start-up (until it answers), peak resident memory,
and the p50 of calls whose cost should follow the answer, not the world (sequential, one
client, server on core 0). BENCH_SIZES: comma-separated client counts (default
200,100000,1000000, the sizes of issue 13's table); BENCH_START_LIMIT: seconds a mock may
take to start (default 600), after which its size is reported as not started.

Start-up is from the process's launch until it answers `/stats`; peak RSS is the kernel's
high-water mark (VmHWM) after every call. The world is lazy (fixtures/population.py): a
million generated sessions are columns, not records, so every figure but `_like_clientid`
(a substring of every id, as the broker scans) should hold at any size."""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

import httpx

from .http import AUTH, PUBLISH, SERVER_CORE, _pinned, _process, mock_argv
from .server import free_port

LIMIT = int(os.environ.get("BENCH_START_LIMIT", "600"))  # s a world may take to start
CALLS = (
    ("page 5000 of 100", "GET", "/api/v4/clients?_page=5000&_limit=100"),
    ("page 1 of 10", "GET", "/api/v4/clients?_page=1&_limit=10"),
    ("/stats", "GET", "/api/v4/stats"),
    ("publish", "POST", "/api/v4/mqtt/publish"),
    ("_like_clientid", "GET", "/api/v4/clients?_like_clientid=zz9&_limit=10"),
    ("subscriptions p.500", "GET", "/api/v4/subscriptions?_page=500&_limit=100"),
    ("routes p.100", "GET", "/api/v4/routes?_page=100&_limit=100"),
    ("HiveMQ page", "GET", "/api/v1/mqtt/clients?limit=100"),
    ("v5 page 3000 of 100", "GET", "/api/v5/clients?page=3000&limit=100"),
    ("v5 filtered page", "GET", "/api/v5/clients?conn_state=connected&page=30&limit=100"),
    ("v5 publish", "POST", "/api/v5/publish"),
    ("v4 /nodes", "GET", "/api/v4/nodes"),
)


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of the process so far (less inflated by load than wall)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _peak_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run(requests: int = 30) -> None:
    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "200,100000,1000000").split(",")]
    print(f"  load: {os.getloadavg()[0]:.2f} (1 min); p50 of {requests} sequential calls")
    header = "".join(f"{label:>20}" for label, _, _ in CALLS)
    print(
        f"  {'clients':>9} {'start s':>8} {'CPU s':>8} {'peak MiB':>9}{header}   (ms)", flush=True
    )
    for size in sizes:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        start = time.perf_counter()
        try:
            row = _measure(port, base, size, requests, start)
        except RuntimeError:
            print(f"  {size:9} did not answer (exited, or not within {LIMIT} s)", flush=True)
            continue
        print(row, flush=True)


def _measure(port: int, base: str, size: int, requests: int, start: float) -> str:
    argv = _pinned(SERVER_CORE, mock_argv(port, size))
    with _process(argv, base + "/api/v4/stats", timeout=LIMIT) as proc:
        started, cpu = time.perf_counter() - start, _cpu_s(proc.pid)
        cells = []
        with httpx.Client(base_url=base, headers={"Authorization": AUTH}, timeout=120) as http:
            for _, method, path in CALLS:
                body = PUBLISH if method == "POST" else None
                kind = {"Content-Type": "application/json"} if body else {}
                took = []
                for _ in range(requests):
                    t0 = time.perf_counter()
                    http.request(method, path, content=body, headers=kind).raise_for_status()
                    took.append(time.perf_counter() - t0)
                cells.append(f"{statistics.median(took) * 1000:20.2f}")
        peak = _peak_mib(proc.pid)
    return f"  {size:9} {started:8.2f} {cpu:8.2f} {peak:9.0f}{''.join(cells)}"
