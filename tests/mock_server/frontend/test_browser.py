"""Acceptance: a page on another origin, in headless Chromium, reads all three APIs with
credentials (CORS preflights included). Debian's `chromium`, driven over the DevTools
protocol (no browser download); skipped when it is not installed (`.ci/run` installs it)."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from mqtt_api_kit.fixtures import build_world
from mqtt_api_kit.mock_server import MockConfig, create_app

from ...support import AUTH, serve

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
websockets = pytest.importorskip("websockets")
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="chromium is not installed")

PAGE = """<!doctype html><meta charset="utf-8"><title>dashboard</title>
<script>
const mock = "%(mock)s", auth = {Authorization: "Basic " + btoa("admin:public")};
async function read(path, init = {}) {
  const r = await fetch(mock + path, {credentials: "include", ...init,
                                      headers: {...auth, ...(init.headers || {})}});
  return {status: r.status, body: await r.json()};
}
(async () => {
  try {
    window.result = {
      v4: await read("/api/v4/clients?_limit=2"),
      v2: await read("/api/v2/management/nodes"),
      hivemq: await read("/api/v1/mqtt/clients?limit=50"),
      publish: await read("/api/v4/mqtt/publish", {method: "POST",
        headers: {"Content-Type": "application/json"},
        body: JSON.stringify({topic: "a/b", payload: "hi"})}),
    };
  } catch (e) { window.result = {error: String(e)}; }
})();
</script>"""


@contextmanager
def page_server(html: str) -> Iterator[str]:
    """A static page on its own origin, as `python -m http.server` would serve it."""
    folder = tempfile.mkdtemp()
    Path(folder, "index.html").write_text(html)
    handler = partial(SimpleHTTPRequestHandler, directory=folder)
    handler.log_message = lambda *a: None  # type: ignore[attr-defined]
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    finally:
        server.shutdown()
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def chromium() -> Iterator[str]:
    profile = tempfile.mkdtemp()
    proc = subprocess.Popen(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        for line in proc.stderr:
            found = re.search(r"DevTools listening on (ws://\S+)", line)
            if found:
                yield found.group(1)
                break
        else:
            raise AssertionError("chromium did not start")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(profile, ignore_errors=True)


async def evaluate_after_load(browser: str, url: str, expression: str) -> Any:
    async with websockets.connect(browser, max_size=None) as ws:
        ids = iter(range(1, 1_000_000))

        async def call(method: str, session: str | None = None, **params: Any) -> Any:
            number = next(ids)
            message: dict[str, Any] = {"id": number, "method": method, "params": params}
            if session:
                message["sessionId"] = session
            await ws.send(json.dumps(message))
            while True:
                reply = json.loads(await ws.recv())
                if reply.get("id") == number:
                    assert "error" not in reply, reply
                    return reply["result"]

        target = (await call("Target.createTarget", url="about:blank"))["targetId"]
        session = (await call("Target.attachToTarget", targetId=target, flatten=True))["sessionId"]
        await call("Page.navigate", session, url=url)
        result = await call(
            "Runtime.evaluate",
            session,
            expression=expression,
            awaitPromise=True,
            returnByValue=True,
        )
        return result["result"]["value"]


WAIT = """new Promise((done, fail) => {
  const t0 = Date.now();
  const tick = setInterval(() => {
    if (window.result) { clearInterval(tick); done(JSON.stringify(window.result)); }
    else if (Date.now() - t0 > 20000) { clearInterval(tick); fail("timeout"); }
  }, 50);
})"""


def test_a_page_on_another_origin_reads_every_api_with_credentials() -> None:
    world = build_world(seed=8, clients=20)
    app = create_app(world, MockConfig(hivemq_auth=AUTH))
    with serve(app) as mock, page_server(PAGE % {"mock": mock}) as page, chromium() as browser:
        raw = asyncio.run(asyncio.wait_for(evaluate_after_load(browser, page, WAIT), 60))
        journal = [
            (e["method"], e["status"], e["notes"])
            for e in __import__("httpx").get(mock + "/__mock/requests?limit=20").json()["items"]
        ]
    result = json.loads(raw)
    assert "error" not in result, result
    assert result["v4"]["status"] == 200 and len(result["v4"]["body"]["data"]) == 2
    assert result["v2"]["status"] == 200 and result["v2"]["body"]["code"] == 0
    assert result["hivemq"]["status"] == 200 and len(result["hivemq"]["body"]["items"]) == 20
    assert result["publish"]["body"]["code"] == 0
    # The browser asked first, without credentials, and was answered before authentication.
    assert ("OPTIONS", 204, ["cors-preflight"]) in journal
