"""What the mock says, read over HTTP with the standard library only: the drivers here run in
a throwaway venv that holds the third-party client and nothing of ours."""

from __future__ import annotations

import base64
import json
import sys
import time
import urllib.error
import urllib.request
from typing import Any

AUTH = "Basic " + base64.b64encode(b"admin:public").decode()


def get(base: str, path: str) -> tuple[int, Any]:
    """(status, parsed JSON body or None) of `GET base+path` with the default credentials."""
    request = urllib.request.Request(base + path, headers={"Authorization": AUTH})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        body = error.read()
        try:
            return error.code, json.loads(body)
        except ValueError:
            return error.code, None


def check(condition: bool, what: str) -> None:
    """Fail the driver, saying what the third-party client saw that the mock did not say."""
    if not condition:
        raise SystemExit(f"third-party: FAILED: {what}")
    print(f"third-party: ok: {what}")


def wait(base: str, seconds: float) -> None:
    """Until the mock answers an authenticated `/api/v5` request (exits on a timeout)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if get(base, "/api/v5/nodes")[0] == 200:
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"third-party: FAILED: no answer from {base} within {seconds:.0f} s")
        time.sleep(0.5)


if __name__ == "__main__":  # python mock_api.py BASE SECONDS
    wait(sys.argv[1], float(sys.argv[2]))
