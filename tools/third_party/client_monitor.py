"""emqx-client-monitor 0.3.1 (PyPI, BSD-3-Clause) against the mock's `/api/v5`.

It reads `GET /api/v5/clients?page=1&limit=10000&fields=all&clientid=…` with an API key
(`emqx_client_monitor/emqx/api.py`) and prints a table (`check`) or serves Prometheus metrics
(`prometheus`). Both must run, and what they report must be what the mock's API says.

Usage (in a venv holding emqx-client-monitor): python client_monitor.py MOCK_URL BIN_DIR PORT
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from mock_api import check, get


def main(base: str, bin_dir: Path, port: int) -> None:
    status, page = get(base, "/api/v5/clients?limit=50")
    check(status == 200 and page["data"], "the mock lists clients through /api/v5")
    rows = page["data"]
    online = next(r for r in rows if r["connected"])
    offline = next((r for r in rows if not r["connected"]), rows[-1])
    watched = {"online": online, "offline": offline}
    with tempfile.TemporaryDirectory() as work:
        config = Path(work) / "config.yaml"
        clients = "".join(
            f'  - alias: {alias}\n    client_id: "{row["clientid"]}"\n'
            for alias, row in watched.items()
        )
        config.write_text(
            'emqx:\n  api_key: "admin"\n  api_secret: "public"\n'
            f'  api_url: "{base}/api"\n  ssl: false\n  alias: Mock\n'
            f"monitored_clients:\n{clients}"
            '  - alias: absent\n    client_id: "no-such-client"\n'
            f"prometheus:\n  port: {port}\n  address: 127.0.0.1\n",
            encoding="utf-8",
        )
        tool = str(bin_dir / "emqx-client-monitor")
        run = subprocess.run(
            [tool, "--cfg", str(config), "check"], capture_output=True, text=True, timeout=60
        )
        check(run.returncode == 0, f"`check` exits 0 (stderr: {run.stderr[-300:]!r})")
        check("Fetched 2 clients" in run.stdout, "`check` finds the two watched clients")
        exporter = subprocess.Popen(
            [tool, "--cfg", str(config), "prometheus"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            metrics = _scrape(port)
        finally:
            exporter.terminate()
            exporter.wait(timeout=10)
    for alias, row in watched.items():
        labels = f'alias="{alias}",broker="Mock",client_id="{row["clientid"]}"'
        connected = 1.0 if row["connected"] else 0.0
        check(
            f"emqx_client_monitor_connected{{{labels}}} {connected}" in metrics,
            f"the exporter says {alias} is connected={row['connected']}, as the mock does",
        )
        check(
            f"emqx_client_monitor_subscriptions{{{labels}}} {float(row['subscriptions_cnt'])}"
            in metrics,
            f"the exporter counts {alias}'s {row['subscriptions_cnt']} subscriptions",
        )
    check(
        'client_id="no-such-client"} 0.0' in metrics,
        "a watched client the broker does not know is reported disconnected",
    )


def _scrape(port: int) -> str:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
                text: str = r.read().decode()
            if "emqx_client_monitor_connected{" in text:
                return text
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit("third-party: FAILED: the exporter served no metrics in 60 s")
        time.sleep(0.5)


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]))
