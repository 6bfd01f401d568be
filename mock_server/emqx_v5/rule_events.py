"""`GET /rule_events`: the events a 5.8.1 rule can select (emqx_rule_events:event_info/0, the
open-source edition's list), a catalogue of the broker's, with each event's columns."""

from __future__ import annotations

from typing import Any

_CLIENT = ["clientid", "username", "peerhost", "node", "timestamp"]
_MESSAGE = [
    "id", "clientid", "username", "payload", "peerhost", "topic", "qos", "flags",
    "pub_props", "timestamp", "publish_received_at", "node",
]  # fmt: skip
_SAMPLES: dict[str, list[Any]] = {
    "clientid": ["c_emqx", "the clientid of the client"],
    "username": ["u_emqx", "the username of the client"],
    "peerhost": ["127.0.0.1", "the peerhost of the client"],
    "topic": ["t/a", "the topic of the MQTT message"],
    "qos": [1, "the QoS of the MQTT message"],
    "payload": ['{"msg": "hello"}', "the payload of the MQTT message"],
    "reason": ["normal", "the reason"],
}


def _event(topic: str, en: str, zh: str, columns: list[str], sql: str) -> dict[str, Any]:
    tests = {c: _SAMPLES[c] for c in columns if c in _SAMPLES}
    return {
        "event": topic,
        "title": {"en": en, "zh": zh},
        "description": {"en": en, "zh": zh},
        "test_columns": tests,
        "columns": columns,
        "sql_example": sql,
    }


EVENTS: list[dict[str, Any]] = [
    _event("$events/message_publish", "message publish", "消息发布", _MESSAGE,
           "SELECT payload.msg as msg FROM \"t/#\" WHERE msg = 'hello'"),
    _event("$events/message_delivered", "message delivered", "消息已投递",
           ["event", "from_clientid", "from_username", *_MESSAGE],
           "SELECT * FROM \"$events/message_delivered\" WHERE topic =~ 't/#'"),
    _event("$events/message_acked", "message acked", "消息应答",
           ["event", "from_clientid", "from_username", *_MESSAGE, "puback_props"],
           "SELECT * FROM \"$events/message_acked\" WHERE topic =~ 't/#'"),
    _event("$events/message_dropped", "message routing-drop", "消息转发丢弃",
           ["event", "reason", *_MESSAGE],
           "SELECT * FROM \"$events/message_dropped\" WHERE topic =~ 't/#'"),
    _event("$events/client_connected", "client connected", "连接建立",
           ["event", *_CLIENT, "mountpoint", "sockname", "proto_name", "proto_ver",
            "keepalive", "clean_start", "expiry_interval", "is_bridge", "connected_at"],
           "SELECT * FROM \"$events/client_connected\""),
    _event("$events/client_disconnected", "client disconnected", "连接断开",
           ["event", *_CLIENT, "reason", "sockname", "disconnected_at"],
           "SELECT * FROM \"$events/client_disconnected\" WHERE topic =~ 't/#'"),
    _event("$events/client_connack", "client connack", "连接确认",
           ["event", "reason_code", *_CLIENT, "sockname", "proto_name", "proto_ver",
            "keepalive", "clean_start", "expiry_interval", "connected_at"],
           "SELECT * FROM \"$events/client_connack\""),
    _event("$events/client_check_authz_complete", "client check authz complete", "鉴权完成",
           ["event", *_CLIENT, "topic", "action", "authz_source", "result"],
           "SELECT * FROM \"$events/client_check_authz_complete\""),
    _event("$events/client_check_authn_complete", "client check authn complete", "认证完成",
           ["event", *_CLIENT, "reason_code", "is_superuser", "is_anonymous"],
           "SELECT * FROM \"$events/client_check_authn_complete\""),
    _event("$events/session_subscribed", "session subscribed", "会话订阅完成",
           ["event", *_CLIENT, "topic", "qos"],
           "SELECT * FROM \"$events/session_subscribed\" WHERE topic =~ 't/#'"),
    _event("$events/session_unsubscribed", "session unsubscribed", "会话取消订阅完成",
           ["event", *_CLIENT, "topic", "qos"],
           "SELECT * FROM \"$events/session_unsubscribed\" WHERE topic =~ 't/#'"),
    _event("$events/delivery_dropped", "message delivery-drop", "消息投递丢弃",
           ["event", "reason", "from_clientid", "from_username", *_MESSAGE],
           "SELECT * FROM \"$events/delivery_dropped\" WHERE topic =~ 't/#'"),
    _event("$bridges/mqtt:*", "MQTT bridge message", "MQTT 桥接消息",
           ["event", "id", "payload", "topic", "server", "dup", "retain", "message_received_at",
            "qos", "node"],
           "SELECT * FROM \"$bridges/mqtt:my_mqtt_bridge\" WHERE topic =~ 't/#'"),
]  # fmt: skip
