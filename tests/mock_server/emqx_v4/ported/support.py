"""The HTTP helpers of EMQX 4.4.19's Common Test suites, over the mock.

`emqx_ct_http:request_api/3,5` (emqx-ct-helpers 1.3.11) answers `{ok, Body}` for HTTP 200/201
and `{error, Reason}` otherwise; the suites match `{ok, _}`, so `ok()` asserts the status and
hands back the body text. `get_http_data/1` decodes it and takes `data`. The suites log in
with an API app they create (`myappid`); the mock's default app (`admin:public`) stands in.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from starlette.testclient import TestClient

BASE = "/api/v4"


def ok(response: httpx.Response) -> str:
    """`{ok, Body} = request_api(...)`: the status is 200 or 201."""
    assert response.status_code in (200, 201), (response.status_code, response.text)
    return response.text


def get_http_data(body: str) -> Any:
    return json.loads(body)["data"]


def decode(body: str) -> Any:
    return json.loads(body)


_RESERVED = frozenset(";:@&=+,/?#[]<>\"{}|\\'^% ")


def uri_encode(part: str) -> str:
    """`emqx_http_lib:uri_encode/1` (v4.4.19): only its `reserved/1` characters become %XX."""
    return "".join(f"%{ord(c):X}" if c in _RESERVED else c for c in part)


class Api:
    """`request_api(Method, uri(Parts), Qs, Auth, Body)` of one suite."""

    def __init__(self, client: TestClient, prefix: str = "") -> None:
        self.client, self.prefix = client, prefix

    def url(self, parts: list[str], qs: str = "") -> str:
        path = "/".join([BASE + self.prefix, *parts]) if parts else BASE + self.prefix
        return f"{path}?{qs}" if qs else path

    def get(self, parts: list[str], qs: str = "") -> str:
        return ok(self.client.get(self.url(parts, qs)))

    def post(self, parts: list[str], body: Any, qs: str = "") -> str:
        return ok(self.client.post(self.url(parts, qs), json=body))

    def put(self, parts: list[str], body: Any) -> str:
        return ok(self.client.put(self.url(parts), json=body))

    def delete(self, parts: list[str]) -> str:
        return ok(self.client.delete(self.url(parts)))
