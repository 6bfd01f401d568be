"""The client-list filters come from the document: the table must be the broker's."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from mqtt_api_kit.mock_server.emqx_v4.filters import FILTERS, converts, filters_of
from mqtt_api_kit.openapi.operations import operation

# ?CLIENT_QS_SCHEMA, emqx_mgmt_api_clients.erl (v4.4.19), in its order.
BROKER = [
    ("clientid", "binary"),
    ("username", "binary"),
    ("zone", "atom"),
    ("ip_address", "ip"),
    ("conn_state", "atom"),
    ("clean_start", "atom"),
    ("proto_name", "binary"),
    ("proto_ver", "integer"),
    ("_like_clientid", "binary"),
    ("_like_username", "binary"),
    ("_gte_created_at", "timestamp"),
    ("_lte_created_at", "timestamp"),
    ("_gte_connected_at", "timestamp"),
    ("_gte_mqueue_len", "integer"),
    ("_lte_mqueue_len", "integer"),
    ("_gte_mqueue_dropped", "integer"),
    ("_lte_mqueue_dropped", "integer"),
    ("_lte_connected_at", "timestamp"),
]


def test_the_document_states_the_brokers_filter_table() -> None:
    assert sorted((f.param, f.type) for f in FILTERS) == sorted(BROKER)


def test_prefixes_give_the_operator_and_the_field() -> None:
    by_param = {f.param: (f.field, f.op) for f in FILTERS}
    assert by_param["_like_username"] == ("username", "like")
    assert by_param["_gte_created_at"] == ("created_at", ">=")
    assert by_param["_lte_mqueue_len"] == ("mqueue_len", "=<")
    assert by_param["clean_start"] == ("clean_start", "=:=")


def test_the_node_scoped_list_declares_the_same_filters() -> None:
    node = filters_of(operation("emqx-v4.yaml", "listNodeClients").parameters)
    assert node == FILTERS


def test_a_filter_type_the_schema_contradicts_is_refused() -> None:
    wrong = {"name": "_gte_created_at", "in": "query", "schema": {"type": "string"}}
    wrong["x-emqx"] = {"filter-type": "timestamp"}
    with pytest.raises(ValueError, match="timestamp in a string schema"):
        filters_of([wrong])


def test_a_filter_no_client_field_answers_is_refused() -> None:
    with pytest.raises(ValueError, match="no way to read 'colour'"):
        filters_of([{"name": "colour", "in": "query", "schema": {"type": "string"}}])


@pytest.mark.parametrize(
    ("word", "text", "ok"),
    [
        ("integer", "12", True),
        ("integer", "1.5", False),
        ("timestamp", "1700000000", True),
        ("timestamp", "2024-01-01", False),
        ("ip", "10.0.0.1", True),
        ("ip", "10.0.x.1", False),
        ("binary", "anything", True),
        ("atom", "connected", True),
    ],
)
def test_conversion_follows_the_type_word(word: str, text: str, ok: bool) -> None:
    assert converts(word, text) is ok


@pytest.mark.parametrize(("param", "word"), [f for f in BROKER if f[1] in ("integer", "timestamp")])
def test_every_numeric_filter_answers_108_with_its_word(
    client: TestClient, param: str, word: str
) -> None:
    body = client.get("/api/v4/clients", params={param: "abc"}).json()
    assert body == {"code": 108, "message": f'Can\'t convert <<"abc">> to {word} type'}
