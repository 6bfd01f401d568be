"""Per-request control (`Prefer: code/example/delay`, `__code/__example/__delay`), per API."""

from __future__ import annotations

import time

import pytest
from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import build_world
from mqtt_api_kit.mock_server import MockConfig, create_app

from ...support import AUTH

LISTS = {
    "v4": "/api/v4/clients",
    "v2": "/api/v2/management/nodes",
    "hivemq": "/api/v1/mqtt/clients",
}


@pytest.fixture
def mock() -> TestClient:
    return TestClient(create_app(build_world(seed=5, clients=30), MockConfig()), headers={})


def ask(mock: TestClient, api: str, how: str, value: str, **params: str):
    if how == "header":
        key, _, val = value.partition("=")
        return mock.get(LISTS[api], params=params, headers={"Prefer": value}, auth=AUTH)
    key, _, val = value.partition("=")
    return mock.get(LISTS[api], params={f"__{key}": val, **params}, auth=AUTH)


@pytest.mark.parametrize("how", ["header", "query"])
def test_code_answers_in_each_apis_own_shape(mock: TestClient, how: str) -> None:
    v4 = ask(mock, "v4", how, "code=500")
    assert (v4.status_code, v4.text, v4.headers["content-type"]) == (
        500,
        "Internal Error",
        "text/plain; charset=utf-8",
    )
    v4_401 = ask(mock, "v4", how, "code=401")
    assert v4_401.status_code == 401 and v4_401.content == b"UNAUTHORIZED"
    assert ask(mock, "v4", how, "code=404").text == "Not found."
    v2 = ask(mock, "v2", how, "code=500")
    assert v2.status_code == 500 and v2.content == b""
    v2_404 = ask(mock, "v2", how, "code=404")
    assert v2_404.status_code == 404 and v2_404.content == b""
    hive = ask(mock, "hivemq", how, "code=503")
    assert hive.status_code == 503
    [error] = hive.json()["errors"]
    assert error["title"] == "Service Unavailable"
    assert ask(mock, "hivemq", how, "code=404").json()["errors"][0]["title"] == "Resource not found"


def test_a_2xx_code_keeps_the_handlers_answer(mock: TestClient) -> None:
    answer = ask(mock, "v4", "query", "code=202", _limit="1")
    assert answer.status_code == 202 and answer.json()["code"] == 0
    assert len(answer.json()["data"]) == 1


def test_forced_answers_come_after_authentication(mock: TestClient) -> None:
    response = mock.get(LISTS["v4"], params={"__code": "500"})
    assert response.status_code == 401


@pytest.mark.parametrize("how", ["header", "query"])
def test_example_answers_a_named_example_of_the_document(mock: TestClient, how: str) -> None:
    empty = ask(mock, "hivemq", how, "example=empty")
    assert empty.status_code == 200 and empty.json() == {"items": []}
    more = ask(mock, "hivemq", how, "example=more-pages")
    assert more.json()["items"] == [{"id": "client-12"}, {"id": "client-5"}]
    missing = ask(mock, "v4", how, "example=nope")
    assert missing.status_code == 404 and "no example named 'nope'" in missing.json()["mock_error"]


@pytest.mark.parametrize("how", ["header", "query"])
def test_delay_waits_that_long(mock: TestClient, how: str) -> None:
    started = time.perf_counter()
    assert ask(mock, "v4", how, "delay=300").status_code == 200
    assert time.perf_counter() - started >= 0.3


def test_the_query_forms_never_reach_the_handler_or_validation(mock: TestClient) -> None:
    plain = mock.get(LISTS["v4"], auth=AUTH).json()
    with_control = mock.get(LISTS["v4"], params={"__delay": "0"}, auth=AUTH).json()
    # EMQX counts any other query parameter as a filter (meta.count -1): these are not seen.
    assert with_control == plain and plain["meta"]["count"] != -1


@pytest.mark.parametrize("value", ["code=abc", "code=99", "delay=-1", "delay=999999"])
def test_a_bad_control_value_is_the_mocks_400(mock: TestClient, value: str) -> None:
    response = ask(mock, "v4", "query", value)
    assert response.status_code == 400 and "mock_error" in response.json()
