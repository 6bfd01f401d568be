"""Latency and throughput of the mock for typical dashboard calls (one client, sequential)."""

from __future__ import annotations

import statistics
import time

import httpx

from .server import mock_process

CALLS = {
    "v4 list 100 clients": "/api/v4/clients?_page=3&_limit=100",
    "v4 filtered list": "/api/v4/clients?_like_clientid=berlin&conn_state=connected&_limit=50",
    "v4 client lookup": "/api/v4/clients/does-not-exist",
    "hivemq page of 500": "/api/v1/mqtt/clients",
}


def run(requests: int = 300, clients: int = 10_000) -> None:
    with (
        mock_process("--clients", str(clients)) as base,
        httpx.Client(base_url=base, auth=("admin", "public")) as http,
    ):
        print(f"  world: {clients} clients; {requests} sequential requests per call")
        for label, path in CALLS.items():
            if http.get(path).status_code == 404:
                continue  # that API is not served by this build
            samples = []
            for _ in range(requests):
                start = time.perf_counter()
                http.get(path).raise_for_status()
                samples.append(time.perf_counter() - start)
            samples.sort()
            p50 = statistics.median(samples) * 1000
            p95 = samples[int(len(samples) * 0.95)] * 1000
            rate = len(samples) / sum(samples)
            print(f"  {label:22} p50 {p50:6.2f} ms  p95 {p95:6.2f} ms  {rate:7.0f} req/s")
