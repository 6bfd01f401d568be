"""apps/emqx_management/test/emqx_mgmt_api_SUITE.erl (emqx v4.4.19), ported case by case.

Each test is the Erlang case of the same name: the same requests, the same assertions. What
the mock cannot do is said in the test: emqtt connections are the world's clients
(`broker.fresh_broker`), and steps that `meck` an internal function to fail
(`meck:expect(emqx_mgmt, …, fun() -> {error, undefined} end)`) have no counterpart — the
mock has no internals to replace — and are left out, each named where it stood.
"""

from __future__ import annotations

import json

import pytest
from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import build_world
from mqtt_api_kit.mock_server import MockConfig, create_app

from .broker import Broker, HttpError, fresh_broker, get

SUCCESS, ERROR1, ERROR8, ERROR12, ERROR15 = 0, 101, 108, 112, 115  # emqx_mgmt.hrl


def lookup_alarm(name: str, alarms: list[dict[str, object]]) -> bool:
    return any(a["name"] == name for a in alarms)


def first_node_alarms(body: str) -> list[dict[str, object]]:
    alarms: list[dict[str, object]] = get("data", body)[0]["alarms"]
    return alarms


def filter_by(items: list[dict[str, object]], key: str, value: object) -> list[dict[str, object]]:
    return [item for item in items if item[key] == value]


def test_t_alarms() -> None:
    """t_alarms. `emqx_alarm:activate/1` and `deactivate/1` are the world's alarm writes."""
    b = fresh_broker()
    b.world.activate_alarm(b.node, "alarm1")
    b.world.activate_alarm(b.node, "alarm2")
    active = [a.name for a in b.world.node(b.node).alarms if a.active]
    assert "alarm1" in active and "alarm2" in active

    return1 = b.request_api("get", ["alarms/activated"])
    assert lookup_alarm("alarm1", first_node_alarms(return1))
    assert lookup_alarm("alarm2", first_node_alarms(return1))

    b.world.deactivate_alarm(b.node, "alarm1")

    return2 = b.request_api("get", ["alarms"])
    assert lookup_alarm("alarm1", first_node_alarms(return2))
    assert lookup_alarm("alarm2", first_node_alarms(return2))

    return3 = b.request_api("get", ["alarms/deactivated"])
    assert lookup_alarm("alarm1", first_node_alarms(return3))
    assert not lookup_alarm("alarm2", first_node_alarms(return3))

    b.world.deactivate_alarm(b.node, "alarm2")

    return4 = b.request_api("get", ["alarms/deactivated"])
    assert lookup_alarm("alarm1", first_node_alarms(return4))
    assert lookup_alarm("alarm2", first_node_alarms(return4))

    b.request_api("delete", ["alarms/deactivated"])

    return5 = b.request_api("get", ["alarms/deactivated"])
    assert not lookup_alarm("alarm1", first_node_alarms(return5))
    assert not lookup_alarm("alarm2", first_node_alarms(return5))


def test_t_apps() -> None:
    """t_apps. Left out: the two meck steps (add_app and del_app made to fail, answering
    `{"message":"undefined"}`)."""
    b = fresh_broker()
    app_id = "123456"
    no_app = b.request_api("get", ["apps", app_id])
    assert len(get("data", no_app)) == 0
    not_found = b.request_api("put", ["apps", app_id], body={"name": "test 2", "status": True})
    assert get("message", not_found) == "not_found"

    b.request_api("post", ["apps"], body={"app_id": app_id, "name": "test", "status": True})
    b.request_api("get", ["apps"])
    b.request_api("get", ["apps", app_id])
    b.request_api("put", ["apps", app_id], body={"name": "test 2", "status": True})
    app_info = b.request_api("get", ["apps", app_id])
    assert get("data", app_info)["name"] == "test 2"
    b.request_api("delete", ["apps", app_id])
    result = b.request_api("get", ["apps"])
    [app] = get("data", result)
    assert app["app_id"] == "admin"


def test_t_banned() -> None:
    """t_banned. `erlang:system_time(second)` is the broker's clock: the world's."""
    b = fresh_broker()
    who = "myclient"
    now = b.world.now // 1000
    b.request_api(
        "post",
        ["banned"],
        body={
            "who": who,
            "as": "clientid",
            "reason": "test",
            "by": "dashboard",
            "at": now,
            "until": now + 10,
        },
    )
    result = b.request_api("get", ["banned"])
    [banned] = get("data", result)
    assert banned["who"] == who

    b.request_api("delete", ["banned", "clientid", who])
    result2 = b.request_api("get", ["banned"])
    assert get("data", result2) == []


def test_t_brokers() -> None:
    """t_brokers. Left out: the meck step (lookup_broker failing → `{"message":"undefined"}`)."""
    b = fresh_broker()
    b.request_api("get", ["brokers"])
    b.request_api("get", ["brokers", b.node])


def test_t_clients() -> None:
    """t_clients. client1/user1 and client2/user2 are two connected clients of the world.
    Left out: the three meck steps (kickout_client, clean_acl_cache and list_acl_cache made
    to fail, each answering code 101)."""
    b = fresh_broker(2)
    c1, c2 = b.clients
    client_id1, client_id2 = c1.clientid, c2.clientid
    username1, username2 = c1.username or "", c2.username or ""

    clients1 = b.request_api("get", ["clients", client_id1])
    assert get("data", clients1)[0]["clientid"] == client_id1

    clients2 = b.request_api("get", ["nodes", b.node, "clients", client_id2])
    assert get("data", clients2)[0]["clientid"] == client_id2

    clients3 = b.request_api("get", ["clients", "username", username1])
    assert get("data", clients3)[0]["clientid"] == client_id1

    clients4 = b.request_api("get", ["nodes", b.node, "clients", "username", username2])
    assert get("data", clients4)[0]["clientid"] == client_id2

    clients5 = b.request_api("get", ["clients"], "_limit=100&_page=1")
    assert get("meta", clients5)["count"] == 2

    ok = b.request_api("delete", ["clients", client_id1])
    assert get("code", ok) == SUCCESS

    ok1 = b.request_api("delete", ["clients", client_id1])
    assert get("code", ok1) == SUCCESS

    clients6 = b.request_api("get", ["clients"], "_limit=100&_page=1")
    assert get("meta", clients6)["count"] == 1

    not_found1 = b.request_api("get", ["clients", client_id1, "acl_cache"])
    assert get("code", not_found1) == ERROR12

    not_found2 = b.request_api("delete", ["clients", client_id1, "acl_cache"])
    assert get("code", not_found2) == ERROR12

    empty_acl_cache = b.request_api("get", ["clients", client_id2, "acl_cache"])
    assert len(get("data", empty_acl_cache)) == 0

    # `{ok, Ok1} = …`: the same answer, byte for byte, as the second kick above
    assert b.request_api("delete", ["clients", client_id2, "acl_cache"]) == ok1
    assert get("code", ok1) == SUCCESS


def test_t_listeners() -> None:
    """t_listeners. Left out: the meck step (list_listeners failing → an `error` entry)."""
    b = fresh_broker()
    b.request_api("get", ["listeners"])
    b.request_api("get", ["nodes", b.node, "listeners"])


def test_t_metrics() -> None:
    """t_metrics. Left out: the meck step (get_metrics failing → `{"message":"undefined"}`)."""
    b = fresh_broker()
    b.request_api("get", ["metrics"])
    b.request_api("get", ["nodes", b.node, "metrics"])


def test_t_nodes() -> None:
    """t_nodes. Left out: the meck step (list_nodes failing → an `error` entry)."""
    b = fresh_broker()
    b.request_api("get", ["nodes"])
    b.request_api("get", ["nodes", b.node])


def test_t_plugins() -> None:
    """t_plugins. `application:ensure_all_started(emqx_auth_mnesia)`: the world's node runs
    it from the start (asserted by the first step)."""
    b = fresh_broker()
    plugins1 = b.request_api("get", ["plugins"])
    [plugins11] = filter_by(get("data", plugins1), "node", b.node)
    [plugin1] = filter_by(plugins11["plugins"], "name", "emqx_auth_mnesia")  # type: ignore[arg-type]
    assert plugin1["name"] == "emqx_auth_mnesia"
    assert plugin1["active"] is True

    b.request_api("put", ["plugins", "emqx_auth_mnesia", "unload"])
    error1 = b.request_api("put", ["plugins", "emqx_auth_mnesia", "unload"])
    assert get("message", error1) == "not_started"
    plugins2 = b.request_api("get", ["nodes", b.node, "plugins"])
    [plugin2] = filter_by(get("data", plugins2), "name", "emqx_auth_mnesia")
    assert plugin2["name"] == "emqx_auth_mnesia"
    assert plugin2["active"] is False

    b.request_api("put", ["nodes", b.node, "plugins", "emqx_auth_mnesia", "load"])
    plugins3 = b.request_api("get", ["nodes", b.node, "plugins"])
    [plugin3] = filter_by(get("data", plugins3), "name", "emqx_auth_mnesia")
    assert plugin3["name"] == "emqx_auth_mnesia"
    assert plugin3["active"] is True

    b.request_api("put", ["nodes", b.node, "plugins", "emqx_auth_mnesia", "unload"])
    error2 = b.request_api("put", ["nodes", b.node, "plugins", "emqx_auth_mnesia", "unload"])
    assert get("message", error2) == "not_started"


def test_t_acl_cache() -> None:
    """t_acl_cache. `emqtt:subscribe(C1, Topic, 2)` fills the cache through the ACL check of
    a SUBSCRIBE packet, which the mock has no listener for: the client is one of the world's
    whose cache already holds such an entry, and `Topic` is that entry's topic."""
    world = build_world(seed=11, clients=60, nodes=1)  # not `fresh_broker`: caches kept
    c1 = next(
        c
        for c in world.clients()
        if c.connected
        and c.acl_cache
        and c.acl_cache[0].access == "subscribe"
        and c.acl_cache[0].allowed
    )
    b = Broker(world, TestClient(create_app(world, MockConfig())), [c1])
    client_id, topic = c1.clientid, c1.acl_cache[0].topic
    result = json.loads(b.request_api("get", ["clients", client_id, "acl_cache"], ""))
    assert result["code"] == 0
    caches = result["data"]
    assert len(caches) > 0
    head = caches[0]
    assert head["access"] == "subscribe"
    assert head["topic"] == topic
    assert head["result"] == "allow"
    assert "updated_time" in head
    result2 = json.loads(b.request_api("delete", ["clients", client_id, "acl_cache"], ""))
    assert result2["code"] == 0
    result3 = json.loads(b.request_api("get", ["clients", client_id, "acl_cache"], ""))
    assert result3["code"] == 0
    assert len(result3["data"]) == 0
    world.disconnect(client_id, publish_will=False)  # a normal DISCONNECT drops the will


def test_t_pubsub() -> None:
    """t_pubsub. C1 (`proto_ver => v5`) is a connected MQTT 5 client of the world;
    `emqtt:subscribe/3` is the world's subscribe. The suite's `receive {publish, …}` is read
    from the world: C1 was sent one more message (its `send_msg`); the payload and properties
    C1 would see are not kept by the world, so those parts of the matches are not checked.
    Left out: the two meck steps (subscribe and unsubscribe failing → code 112)."""
    b = fresh_broker(1, proto_ver=5)
    (c1,) = b.clients
    node_metrics = b.world.node(b.node).metrics
    qos1_received = node_metrics["messages.qos1.received"]
    qos2_received = node_metrics["messages.qos2.received"]
    received = node_metrics["messages.received"]

    client_id, topic = c1.clientid, "mytopic"

    def sent() -> int:
        return b.world.client(client_id).counters.send_msg

    def post(path: str, body: object) -> str:
        return b.request_api("post", [path], "", None, body)

    bad_topic1 = post("mqtt/subscribe", {"clientid": client_id, "topics": "", "qos": 2})
    assert get("code", bad_topic1) == ERROR15
    bad_topic2 = post(
        "mqtt/publish", {"clientid": client_id, "topics": "", "qos": 1, "payload": "hello"}
    )
    assert get("code", bad_topic2) == ERROR15
    bad_topic3 = post("mqtt/unsubscribe", {"clientid": client_id, "topic": ""})
    assert get("code", bad_topic3) == ERROR15

    bad_client1 = post("mqtt/subscribe", {"clientid": 1, "topics": "mytopic", "qos": 2})
    assert get("code", bad_client1) == ERROR8
    bad_client2 = post(
        "mqtt/publish", {"clientid": 1, "topics": "mytopic", "qos": 1, "payload": "hello"}
    )
    assert get("code", bad_client2) == ERROR8
    bad_params = post(
        "mqtt/publish",
        {
            "clientid": 1,
            "topics": "mytopic",
            "qos": 1,
            "payload": "hello",
            "user_properties": {
                "id": 10010,
                "name": "emqx",
                "foo": ["bad_properties1", "bad_properties2"],
                "boolean": False,
            },
        },
    )
    assert get("code", bad_params) == ERROR8
    bad_client3 = post("mqtt/unsubscribe", {"clientid": 1, "topic": "mytopic"})
    assert get("code", bad_client3) == ERROR8

    code = post("mqtt/subscribe", {"clientid": client_id, "topic": topic, "qos": 2})
    assert get("code", code) == SUCCESS
    before = sent()
    assert (
        post(
            "mqtt/publish",
            {"clientid": client_id, "topic": "mytopic", "qos": 1, "payload": "hello"},
        )
        == code
    )
    assert sent() == before + 1

    # no clientid
    assert post("mqtt/publish", {"topic": "mytopic", "qos": 1, "payload": "hello"}) == code
    assert sent() == before + 2

    # json payload
    assert (
        post(
            "mqtt/publish",
            {
                "clientid": client_id,
                "topic": "mytopic",
                "qos": 1,
                "payload": {"body": "hello world"},
            },
        )
        == code
    )
    assert sent() == before + 3

    assert post("mqtt/unsubscribe", {"clientid": client_id, "topic": topic}) == code

    # tests subscribe_batch
    topic_list = ["mytopic1", "mytopic2"]
    for t in topic_list:
        assert b.world.subscribe(client_id, t, 2)
    body1 = [{"clientid": client_id, "topic": t, "qos": 2} for t in topic_list]
    data1 = post("mqtt/subscribe_batch", body1)
    assert [row["code"] for row in get("data", data1)] == [0, 0]

    # tests publish_batch
    body2 = [
        {
            "clientid": client_id,
            "topic": t,
            "qos": 2,
            "retain": "false",
            "payload": {"body": "hello world"},
        }
        for t in topic_list
    ]
    before = sent()
    data2 = post("mqtt/publish_batch", body2)
    assert [row["code"] for row in get("data", data2)] == [0, 0]
    assert sent() == before + len(topic_list)

    # tests unsubscribe_batch
    body3 = [{"clientid": client_id, "topic": t} for t in topic_list]
    data3 = post("mqtt/unsubscribe_batch", body3)
    assert [row["code"] for row in get("data", data3)] == [0, 0]

    assert b.world.subscribe(client_id, "mytopic", 1)

    # user properties
    before = sent()
    assert (
        post(
            "mqtt/publish",
            {
                "clientid": client_id,
                "topic": "mytopic",
                "qos": 1,
                "payload": "hello world",
                "user_properties": {"porp_1": "porp_1"},
            },
        )
        == code
    )
    assert sent() == before + 1

    # properties
    assert (
        post(
            "mqtt/publish",
            {
                "clientid": client_id,
                "topic": "mytopic",
                "qos": 1,
                "payload": "hello properties",
                "user_properties": {"prop_key1": "prop_val1"},
                "properties": {
                    "message_expiry_interval": 1000,
                    "user_properties": {"prop_key2": "prop_val2"},
                },
            },
        )
        == code
    )
    assert sent() == before + 2

    b.world.disconnect(client_id, publish_will=False)  # a normal DISCONNECT drops the will

    node_metrics = b.world.node(b.node).metrics
    assert node_metrics["messages.qos1.received"] - qos1_received == 5
    assert node_metrics["messages.qos2.received"] - qos2_received == 2
    assert node_metrics["messages.received"] - received == 7


def test_t_routes_and_subscriptions() -> None:
    """t_routes_and_subscriptions. `myclient` (clean start, MQTT 5) is a connected client of
    the world; its `emqtt:subscribe(C1, Topic, qos2)` is the world's subscribe."""
    b = fresh_broker(1, proto_ver=5)
    (c1,) = b.clients
    client_id, topic = c1.clientid, "mytopic"
    assert get("data", b.request_api("get", ["routes"])) == []
    assert get("data", b.request_api("get", ["subscriptions"])) == []
    assert get("data", b.request_api("get", ["nodes", b.node, "subscriptions"])) == []
    assert get("data", b.request_api("get", ["subscriptions", client_id])) == []
    assert get("data", b.request_api("get", ["nodes", b.node, "subscriptions", client_id])) == []

    assert b.world.subscribe(client_id, topic, 2)
    result = b.request_api("get", ["routes"])
    [route] = get("data", result)
    assert route["topic"] == topic

    result2 = b.request_api("get", ["routes", topic])
    assert get("data", result2) == [route]

    result3 = b.request_api("get", ["subscriptions"])
    [subscription] = get("data", result3)
    assert subscription["topic"] == topic
    assert subscription["clientid"] == client_id
    meta = get("meta", result3)
    assert (meta["page"], meta["limit"], meta["hasnext"], meta["count"]) == (1, 10000, False, 1)

    assert b.request_api("get", ["nodes", b.node, "subscriptions"]) == result3

    result4 = b.request_api("get", ["subscriptions", client_id])
    assert get("data", result4) == [subscription]
    assert b.request_api("get", ["nodes", b.node, "subscriptions", client_id]) == result4

    b.world.disconnect(client_id, publish_will=False)  # a normal DISCONNECT drops the will


def _meta(body: str) -> tuple[object, ...]:
    meta = get("meta", body)
    return meta["page"], meta["limit"], meta["hasnext"], meta["count"]


def test_t_subscription_topic() -> None:
    """t_subscription_topic. The ten `myclientN` (clean start, MQTT 5) are connected clients
    of the world, each subscribing `topic` at QoS 2 through the world."""
    b = fresh_broker(10, proto_ver=5)
    topic = "topic"
    query = "topic=" + topic
    non_subscription = b.request_api("get", ["subscriptions"], query)
    assert get("data", non_subscription) == []
    assert _meta(non_subscription) == (1, 10000, False, 0)
    non_subscription1 = b.request_api("get", ["nodes", b.node, "subscriptions"], query)
    assert get("data", non_subscription1) == []
    assert _meta(non_subscription) == (1, 10000, False, 0)

    for client in b.clients:
        assert b.world.subscribe(client.clientid, topic, 2)

    result3 = b.request_api("get", ["subscriptions"], query)
    subscription, *subscriptions = get("data", result3)
    assert subscription["topic"] == topic
    assert len(subscriptions) == 9
    assert _meta(result3) == (1, 10000, False, 10)

    assert b.request_api("get", ["nodes", b.node, "subscriptions"], query) == result3
    assert _meta(result3) == (1, 10000, False, 10)

    result4 = b.request_api("get", ["subscriptions"], query + "&_page=1&_limit=5")
    assert _meta(result4) == (1, 5, True, 10)
    assert len(get("data", result4)) == 5

    result5 = b.request_api("get", ["subscriptions"], query + "&_page=2&_limit=5")
    assert _meta(result5) == (2, 5, False, 10)
    assert len(get("data", result4)) == 5

    result6 = b.request_api("get", ["subscriptions"], query + "&_page=3&_limit=3")
    assert _meta(result6) == (3, 3, True, 10)

    for client in b.clients:
        b.world.disconnect(
            client.clientid, publish_will=False
        )  # a normal DISCONNECT drops the will


def test_t_stats() -> None:
    """t_stats. Left out: the meck step (get_stats failing → `{"message":"undefined"}`)."""
    b = fresh_broker()
    b.request_api("get", ["stats"])
    b.request_api("get", ["nodes", b.node, "stats"])


def test_t_data() -> None:
    """t_data. `delete_all_backup_file/0` first: the world's stored exports are removed."""
    b = fresh_broker()
    for name in list(b.world.files):
        b.world.delete_file(name)
    data = b.request_api("post", ["data", "export"], "", None, [{}])
    exported = get("data", data)
    filename, node = exported["filename"], exported["node"]
    data_list = b.request_api("get", ["data", "export"])
    assert exported in get("data", data_list)

    b.request_api("post", ["data", "import"], "", None, {"filename": filename, "node": node})
    b.request_api("post", ["data", "import"], "", None, {"filename": filename})


def test_t_data_import_content() -> None:
    """t_data_import_content. `file:read_file/1` of the export is the world's stored file."""
    b = fresh_broker()
    for name in list(b.world.files):
        b.world.delete_file(name)
    data = b.request_api("post", ["data", "export"], "", None, [{}])
    filename = get("data", data)["filename"]
    content = json.loads(b.world.files[filename].content)
    assert b.request_api("post", ["data", "import"], "", None, content) == '{"code":0}'


def _keepalive_ok(b: Broker, init_sec: int, update_sec: int, client_id: str) -> None:
    """keepalive_ok/6: the client connects with keepalive `init_sec` (the world's client,
    its keepalive set as its CONNECT would have it), then the API changes it."""
    assert (
        b.world.set_keepalive(client_id, init_sec)
        or init_sec == b.world.client(client_id).keepalive
    )
    qs = f"interval={update_sec}"
    ok = b.request_api("put", ["clients", client_id, "keepalive"], qs, None, [{}])
    assert ok == '{"code":0}'
    assert b.world.client(client_id).keepalive == update_sec


def test_t_keepalive() -> None:
    """t_keepalive. `client_keepalive` is a connected client of the world; the suite reads
    the keepalive back from the connection process (`emqx_connection:info/1`), the port
    from the world's client record."""
    b = fresh_broker(1)
    (c1,) = b.clients
    path = ["clients", "client_keepalive", "keepalive"]
    not_found = b.request_api("put", path, "interval=5", None, [{}])
    assert not_found == '{"message":"not_found","code":112}'
    client_path = ["clients", c1.clientid, "keepalive"]
    _keepalive_ok(b, 61, 0, c1.clientid)
    error1 = b.request_api("put", client_path, "interval=-1", None, [{}])
    error2 = b.request_api("put", client_path, "interval=65536", None, [{}])
    err_msg = {"code": 102, "message": "mqtt3.1.1 specification: keepalive must between 0~65535"}
    assert json.loads(error1) == err_msg
    assert error1 == error2
    # test change keepalive from 0 to 60
    _keepalive_ok(b, 0, 60, c1.clientid)
    # test change keepalive from 60 to 0
    _keepalive_ok(b, 60, 0, c1.clientid)


def test_t_status_ok() -> None:
    """t_status_ok: `GET /status` without credentials."""
    b = fresh_broker()
    answer = b.http.get("/status", headers={"Authorization": ""})
    assert answer.text.endswith("emqx is running")
    assert answer.status_code == 200


def test_t_status_not_ok() -> None:
    """t_status_not_ok: `application:stop(emqx)` is the world's stop of the node's broker."""
    b = fresh_broker()
    b.world.set_running(b.node, False)
    answer = b.http.get("/status", headers={"Authorization": ""})
    assert answer.text.endswith("emqx is not_running")
    assert answer.status_code == 503


def test_request_api_fails_on_other_statuses() -> None:
    """The helper itself: request_api/5 gives `{error, Reason}` for anything but 200/201."""
    b = fresh_broker()
    with pytest.raises(HttpError):
        b.request_api("get", ["nodes"], auth={"Authorization": "Basic eDp5"})
