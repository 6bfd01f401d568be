"""EMQX 5 judged by EMQX's own document: the 290 operations of 5.8.1's generated OpenAPI file
(`../shared/reference/emqx5/emqx-5.8.1-ce-openapi.json`) against our document and the mock.

* Inventory: every reference operation (method + path) of a group done is in ours; the groups
  not done yet are listed by `test_the_groups_not_done_yet_are_known`.
* Conformance: Schemathesis runs the reference document (positive mode: status codes, content
  types, headers, response schemas) against the mock on every operation both documents have.
  A check is switched off for an operation only where the reference contradicts the broker's
  source, each with the reason (`EXCLUSIONS`); the run must find no failure.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest

from mqtt_api_kit.contract_tests.profiles import RESPONSE_CHECKS
from mqtt_api_kit.fixtures import build_world
from mqtt_api_kit.mock_server import MockConfig, create_app
from mqtt_api_kit.openapi import document

from ..support import serve

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT.parent / "shared" / "reference" / "emqx5" / "emqx-5.8.1-ce-openapi.json"
METHODS = ("get", "put", "post", "delete", "patch")
needs_reference = pytest.mark.skipif(
    not REFERENCE.exists(), reason="../shared/reference (EMQX 5's document) absent"
)


_SCHEMA = ("response_schema_conformance",)
_STATUS = ("status_code_conformance",)
# "METHOD /path" → (checks the reference's contradiction breaks, why). Each reason names the
# broker source that decides.
EXCLUSIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "GET /clients": (
        ("not_a_server_error", *_STATUS, *_SCHEMA),
        "a `node` outside the cluster (the reference's own example emqx@127.0.0.1) is 500 "
        "NODE_DOWN in emqx_mgmt_api_clients:list_clients/1, which the reference omits; and its "
        "client schema types `subscriptions_max` as integer, `username`/`mountpoint` as string, "
        "while format_channel_info/3 writes `infinity` and null (undefined)",
    ),
    "GET /clients/{clientid}": (
        _SCHEMA,
        "`subscriptions_max` is `infinity` and `username`/`mountpoint` null for a session "
        "without them (format_channel_info/3); the reference types them integer and string",
    ),
    "GET /clients/{clientid}/authorization/cache": (
        _SCHEMA,
        "the reference declares one cache entry; get_authz_cache/1 answers the list of them",
    ),
    "GET /clients/{clientid}/mqueue_messages": (
        _SCHEMA,
        "the reference's `start`/`position` are a oneOf of `string` and enums containing "
        '"none", which no value can satisfy; the code answers `none` for an empty queue',
    ),
    "GET /clients/{clientid}/inflight_messages": (
        _SCHEMA,
        "the same unsatisfiable oneOf as the queue for `none` (encode_msgs_meta/2)",
    ),
    "POST /clients/kickout/bulk": (
        _STATUS,
        "the reference lists only 204, while a request without the (unrequired) body fails "
        "emqx_dashboard_swagger's schema check: 400 BAD_REQUEST",
    ),
    "POST /clients/{clientid}/unsubscribe": (
        _STATUS,
        "the reference requires no `topic`; without one unsubscribe/2 crashes (500), which "
        "this document turns into a required field (400 BAD_REQUEST), absent from the reference",
    ),
    "POST /clients/{clientid}/unsubscribe/bulk": (
        _STATUS,
        "items without `topic` are dropped by unsubscribe_batch/2, but an empty or missing "
        "body fails the schema check (400 BAD_REQUEST), which the reference omits",
    ),
    "POST /clients/{clientid}/subscribe": (
        _STATUS,
        "a missing body fails the schema check (`topic` is required): 400 BAD_REQUEST, which "
        "the reference omits",
    ),
    "POST /clients/{clientid}/subscribe/bulk": (
        _STATUS,
        "a missing body or an item without `topic` is 400 BAD_REQUEST from the schema check, "
        "which the reference omits",
    ),
    "GET /subscriptions": (
        ("not_a_server_error", *_STATUS, *_SCHEMA),
        "a `node` outside the cluster is 500 NODE_DOWN (subscriptions/2), missing from the "
        "reference; and the reference declares a bare list while the handler answers "
        "emqx_mgmt_api:cluster_query/6's {data, meta}",
    ),
    "GET /topics/{topic}": (
        _SCHEMA,
        "an empty {topic} makes the path /topics/, which cowboy's router answers as GET /topics",
    ),
    "GET /banned": (
        _SCHEMA,
        "without a filter the answer is emqx_mgmt_api:paginate/3's meta, which has no "
        "`hasnext` although the reference requires it",
    ),
    "GET /mqtt/retainer": (
        _SCHEMA,
        "the reference types backend.index_specs as a list of integers; the default "
        "(emqx_retainer_schema ?DEFAULT_INDICES) is a list of lists",
    ),
    "PUT /mqtt/retainer": (
        (*_STATUS, *_SCHEMA),
        "the same index_specs mistype: a list of integers (valid per the reference) fails "
        "check_index_specs/1 with 400 BAD_REQUEST, where the reference allows only UPDATE_FAILED",
    ),
    "GET /api_key": (
        _SCHEMA,
        "the reference declares one key object; api_key(get, …) answers the list",
    ),
    "GET /api_key/{name}": (
        _STATUS,
        "a name outside ^[A-Za-z]+[A-Za-z0-9-_]*$ fails validate_name/1: 400 BAD_REQUEST, "
        "which the reference omits",
    ),
    "PUT /api_key/{name}": (_STATUS, "validate_name/1 on the path, as GET /api_key/{name}"),
    "DELETE /api_key/{name}": (_STATUS, "validate_name/1 on the path, as GET /api_key/{name}"),
    "POST /api_key": (
        _STATUS,
        "name, desc and enable are optional in the reference, but api_key(post, …) matches "
        "them out of the body (500 without); this document requires them (400)",
    ),
    "POST /login": (
        _STATUS,
        "username and password are optional in the reference; login/2 reads both (500 "
        "without), this document requires them (400)",
    ),
    "POST /logout": (
        (*_STATUS, *_SCHEMA),
        "the reference's 401 allows only BAD_USERNAME_OR_PWD; logout/2 answers 401 "
        "WRONG_TOKEN_OR_USERNAME (minirest skips the code check on 401); and `username` is "
        "read unconditionally (required here, 400 without)",
    ),
    "POST /users": (
        _STATUS,
        "the reference lists only 200; users(post, …) refuses a bad name or password with 400 "
        "BAD_REQUEST (and crashes without them)",
    ),
    "PUT /users/{username}": (
        _STATUS,
        "the reference does not require `description`; user(put, …) reads it (500 without), "
        "this document requires it (400)",
    ),
    "POST /users/{username}/change_pwd": (
        _STATUS,
        "old_pwd and new_pwd are optional in the reference; change_pwd/2 reads both (500 "
        "without), this document requires them (400)",
    ),
    "DELETE /authentication/{id}": (
        _STATUS,
        "the reference lists only 204; an unknown id is 404 NOT_FOUND (serialize_error/1)",
    ),
    "GET /authentication/{id}/status": (
        _SCHEMA,
        "the reference types node_status, node_metrics, node_resource_metrics and node_error as "
        "objects; lookup_from_all_nodes/2 builds each as a list of {node, …} maps",
    ),
    "GET /authentication/{id}/users": (
        _STATUS,
        "an unknown authenticator or one without users is 400 (serialize_error({user_error, "
        "…}) has no 404 branch for them); the reference lists 200 and 404",
    ),
    "GET /authentication/{id}/users/{user_id}": (_STATUS, "the same 400 as the user list"),
    "PUT /authentication/{id}/users/{user_id}": (_STATUS, "the same 400 as the user list"),
    "DELETE /authentication/{id}/users/{user_id}": (_STATUS, "the same 400 as the user list"),
    "POST /authentication/{id}/users": (
        _STATUS,
        "the same 400 as the user list, and 409 ALREADY_EXISTS for an existing user id, which "
        "the reference omits",
    ),
    "DELETE /authorization/sources/{type}": (
        _STATUS,
        "a type not configured is 404 NOT_FOUND (with_source/2); the reference lists 204, 400",
    ),
    "PUT /authorization/sources/{type}": (_STATUS, "the same 404 of with_source/2"),
    "DELETE /authorization/sources/built_in_database/rules": (
        _STATUS,
        "without the built_in_database source rules(delete, …) answers 404 (code BAD_REQUEST), "
        "which the reference omits",
    ),
}
# Every rules route of the built-in database answers 404 `Not found: built_in_database` while
# that source is not configured (the routes' filter, is_configured_authz_source/2); the
# reference run deletes sources, and the reference lists no 404 for these.
for _rules in (
    "GET /authorization/sources/built_in_database/rules/all",
    "POST /authorization/sources/built_in_database/rules/all",
    "DELETE /authorization/sources/built_in_database/rules/all",
    "GET /authorization/sources/built_in_database/rules/users",
    "POST /authorization/sources/built_in_database/rules/users",
    "PUT /authorization/sources/built_in_database/rules/users/{username}",
    "GET /authorization/sources/built_in_database/rules/clients",
    "POST /authorization/sources/built_in_database/rules/clients",
    "PUT /authorization/sources/built_in_database/rules/clients/{clientid}",
):
    EXCLUSIONS[_rules] = (
        _STATUS,
        "404 while the built_in_database source is not configured (is_configured_authz_source/2, "
        "the route's filter), which the reference omits",
    )


for _rule_answer in ("GET /rules", "POST /rules", "GET /rules/{id}", "PUT /rules/{id}"):
    EXCLUSIONS[_rule_answer] = (
        _SCHEMA,
        "the reference's action item is a oneOf whose branches overlap: a function action "
        "({function: console}) is valid under more than one, so no answer with one can satisfy "
        "it (format_action/1 writes exactly that)",
    )
for _engine in ("GET /rule_engine", "PUT /rule_engine"):
    EXCLUSIONS[_engine] = (
        _SCHEMA,
        "the reference types jq_function_default_timeout as a duration string; "
        "format_rule_engine_resp/1 answers emqx_conf:get/1's checked value, milliseconds",
    )
EXCLUSIONS["GET /listeners/{id}"] = (
    _SCHEMA,
    "the reference types `enable_authn` as a string whose enum holds true and false "
    "(hoconsc:enum([true, false, quick_deny_anonymous]) rendered as type string); the raw "
    "configuration holds the boolean true (emqx_schema.erl base listener `enable_authn`)",
)
EXCLUSIONS["POST /listeners"] = (
    _SCHEMA,
    "the same enable_authn mistype as GET /listeners/{id}: create_listener/2 answers the raw "
    "configuration, which holds the boolean (emqx_schema.erl base listener `enable_authn`)",
)
EXCLUSIONS["PUT /listeners/{id}"] = (
    _SCHEMA,
    "the enable_authn mistype of GET /listeners/{id}; and a body id other than the path's is "
    "400 BAD_LISTENER_ID (crud_listeners_by_id(put, …)), where the reference's 400 allows "
    "only BAD_REQUEST",
)
EXCLUSIONS["DELETE /listeners/{id}"] = (
    _STATUS,
    "an id of no listener type fails the path's validator (validate_id/1 in "
    "emqx_mgmt_api_listeners.erl fields(listener_id)): 400 BAD_REQUEST, which the reference omits",
)
for _action in ("start", "stop", "restart"):
    EXCLUSIONS[f"POST /listeners/{{id}}/{_action}"] = (
        _STATUS,
        "an unknown listener is 404 BAD_LISTENER_ID (action_listeners_by_id/2); the reference "
        "lists 200 and 400 only",
    )
for _root in ("sys_topics", "alarm", "broker"):
    EXCLUSIONS[f"PUT /configs/{_root}"] = (
        _SCHEMA,
        "a body the root's schema refuses is 400 BAD_REQUEST (emqx_dashboard_swagger's check "
        "before request_config/3), where the reference's 400 allows only UPDATE_FAILED and "
        "INVALID_CONFIG",
    )
for _method in ("GET", "PUT"):
    EXCLUSIONS[f"{_method} /configs/sysmon"] = (
        _SCHEMA,
        "the reference's sysmon_vm.long_gc is a oneOf of any string and the enum [disabled], "
        'so the default `disabled` (emqx_schema.erl fields("sysmon_vm")) satisfies both '
        "branches and no answer can; PUT also answers BAD_REQUEST for a body the schema refuses",
    )
    EXCLUSIONS[f"{_method} /configs/log"] = (
        _SCHEMA,
        "the reference's log.file is a oneOf of a map of named handlers and one handler, and "
        "any handler object satisfies both (the first branch's `$handler_name` is a literal "
        "property name); emqx_conf_schema.erl fills the one default handler",
    )
    EXCLUSIONS[f"{_method} /configs/dashboard"] = (
        _SCHEMA,
        "the reference types listeners.https.bind as a string with the default 0; the raw "
        "configuration holds the integer 0 (emqx_dashboard_schema.erl bind/1, `default => 0`)",
    )
EXCLUSIONS["GET /configs/global_zone"] = (
    _SCHEMA,
    "the reference's mqtt.retry_interval and message_expiry_interval are oneOfs of any string "
    'and the enum [infinity], which the default `infinity` (emqx_schema.erl fields("mqtt")) '
    "satisfies twice, so no answer can",
)
EXCLUSIONS["PUT /configs/global_zone"] = (
    _SCHEMA,
    "the `infinity` oneOfs of GET /configs/global_zone; and a body the schema refuses is 400 "
    "BAD_REQUEST, where the reference's 400 allows only UPDATE_FAILED",
)
EXCLUSIONS["GET /configs"] = (
    ("not_a_server_error", *_SCHEMA),
    "for text/plain and a `node` not running, get_configs_v2/1 hands the rpc's {badrpc, …} to "
    "hocon_pp:do/2, which crashes: 500 INTERNAL_ERROR, where the reference's 500 allows only "
    "BAD_NODE",
)
EXCLUSIONS["PUT /configs"] = (
    ("content_type_conformance",),
    "a failed load is 400 with a text/plain JSON text of the errors (configs/3 replies with "
    "that content type), where the reference documents application/json",
)
EXCLUSIONS["DELETE /cluster/{node}/force_leave"] = (
    _STATUS,
    "force_leave/2 answers every refusal (the answering node, a node not in the cluster) "
    "400 BAD_REQUEST; the reference lists 204 and 404",
)
EXCLUSIONS["GET /schemas/{name}"] = (
    _SCHEMA,
    "the reference types the answer as a string (hoconsc:mk(binary())); get_schema/2 answers "
    "the JSON text of a schema document (emqx_dashboard_swagger:gen_api_schema_json_iodata/3), "
    "which is an object",
)
for _plugin_op in (
    "GET /plugins/{name}",
    "DELETE /plugins/{name}",
    "GET /plugins/{name}/config",
    "PUT /plugins/{name}/config",
    "GET /plugins/{name}/schema",
    "PUT /plugins/{name}/{action}",
    "POST /plugins/{name}/move",
):
    EXCLUSIONS[_plugin_op] = (
        (*_STATUS, *_SCHEMA),
        "a name outside ^[A-Za-z]+[A-Za-z0-9-_.]*$ fails the path's validator "
        "(emqx_mgmt_api_plugins:validate_name/1): 400 BAD_REQUEST, which the reference omits "
        "(it puts the pattern in the description only)",
    )
EXCLUSIONS["GET /plugins/{name}/config"] = (
    ("content_type_conformance", *_STATUS, *_SCHEMA),
    "the validator's 400 BAD_REQUEST as the other plugin routes; and plugin_config/2 answers "
    "with the header content-type 'application/json' (quotes included), not application/json",
)
EXCLUSIONS["GET /plugins/{name}/schema"] = (
    (*_STATUS, *_SCHEMA),
    "the validator's 400 BAD_REQUEST; and the reference types the answer as a string while "
    "format_plugin_avsc_and_i18n/1 answers the map {avsc, i18n}",
)
EXCLUSIONS["POST /plugins/{name}/move"] = (
    (*_STATUS, *_SCHEMA),
    "the validator's 400 BAD_REQUEST; and a bad position is 400 BAD_POSITION "
    "(update_boot_order/2), where the reference's 400 allows only MOVE_FAILED",
)
EXCLUSIONS["PUT /plugins/{name}/{action}"] = (
    (*_STATUS, *_SCHEMA),
    "the validator's 400 BAD_REQUEST; and ensure_action/3 discards every step's result, so "
    "the answer is 204 where the reference lists 404",
)
EXCLUSIONS["POST /plugins/install"] = (
    _SCHEMA,
    "a form without the `plugin` field is 400 BAD_FORM_DATA (upload_install/2), which the "
    "reference's 400 omits",
)
EXCLUSIONS["POST /relup/package/upload"] = (
    ("not_a_server_error", *_STATUS, *_SCHEMA),
    "emqx_mgmt_api_relup:'/relup/package/upload'/2 refuses a name or a second package with "
    "return_bad_request/1 (400 BAD_REQUEST), where the reference's 400 allows UNEXPECTED_ERROR, "
    "ALREADY_INSTALLED and BAD_PLUGIN_INFO; and a form without `plugin` passes unchecked "
    "(emqx_dashboard_swagger:check_request_body/5 of a raw content map) and matches no clause "
    "of the handler: minirest's 500 INTERNAL_ERROR",
)
EXCLUSIONS["GET /relup/status/{node}"] = (
    _STATUS,
    "a node not running is 404 NOT_FOUND (emqx_utils_api:with_node/2), which the reference omits",
)
for _upgrade in ("POST /relup/upgrade", "POST /relup/upgrade/{node}"):
    EXCLUSIONS[_upgrade] = (
        _SCHEMA,
        "?ASSERT_PKG_READY and upgrade_return/1 answer 400 BAD_REQUEST "
        "(emqx_mgmt_api_relup:return_bad_request/1), where the reference's 400 allows only "
        "UNEXPECTED_ERROR",
    )
EXCLUSIONS["PUT /prometheus"] = (
    _STATUS,
    "the reference documents only 200; a body that is neither form (recommended keys mixed "
    "with legacy ones) fails the union's check, 400 BAD_REQUEST "
    "(emqx_prometheus_schema:setting_union_schema/0, emqx_dashboard_swagger)",
)
EXCLUSIONS["GET /rule_events"] = (
    _SCHEMA,
    "the reference declares one event object; emqx_rule_events:event_info/0 is the list",
)
for _made in ("POST /connectors", "POST /actions", "POST /sources", "POST /bridges"):
    EXCLUSIONS[_made] = (
        _SCHEMA,
        "the reference's 400 allows only ALREADY_EXISTS; a configuration the type's schema "
        "refuses is 400 BAD_REQUEST (create_or_update_connector/4, create_bridge/4)",
    )
for _probe in (
    "POST /connectors_probe",
    "POST /actions_probe",
    "POST /sources_probe",
    "POST /bridges_probe",
):
    EXCLUSIONS[_probe] = (
        _SCHEMA,
        "the reference's 400 allows only TEST_FAILED; the schema check before the dry run "
        "(filter_check_request_and_translate_body/2) answers 400 BAD_REQUEST",
    )

EXCLUSIONS["PUT /mqtt/auto_subscribe"] = (
    _STATUS,
    "the reference lists 200 and 409; a missing body or a topic without `topic` fails the "
    'array schema check (emqx_auto_subscribe_schema fields("topic")): 400 BAD_REQUEST',
)
EXCLUSIONS["PUT /slow_subscriptions/settings"] = (
    _STATUS,
    "the reference lists only 200; a threshold or expire_interval that is not a duration "
    "fails emqx_schema:duration_ms() in the schema check: 400 BAD_REQUEST",
)

EXCLUSIONS["DELETE /mqtt/delayed/messages/{node}/{msgid}"] = (
    ("not_a_server_error", *_STATUS),
    "delayed_message(delete, …) makes any node name an atom (binary_to_atom/1), so a node not "
    "running reaches the RPC, whose badrpc no case clause matches: 500, absent from the reference",
)
EXCLUSIONS["POST /mqtt/topic_metrics"] = (
    _STATUS,
    "the reference lists 204; topic_metrics(post, …) answers 200 with the new topic's metrics "
    "(get_cluster_response([Topic]))",
)
EXCLUSIONS["PUT /mqtt/topic_metrics"] = (
    _STATUS,
    "the reference lists 204 and 404; topic_metrics(put, …) answers 200 with the metrics "
    "(get_cluster_response/1), and an action other than reset fails the enum check (400)",
)
EXCLUSIONS["GET /trace"] = (
    _SCHEMA,
    "the reference types log_size as an array of objects; trace(get, …) builds a map of "
    "node → bytes (collect_file_size/3)",
)
EXCLUSIONS["POST /trace"] = (
    _SCHEMA,
    "log_size is format_trace/1's map of node → 0, not an array; and a name validate_name/1 "
    "refuses or a field the schema does not know is 400 BAD_REQUEST from the schema check, "
    "where the reference's 400 allows only INVALID_PARAMS",
)
for _named in ("DELETE /trace/{name}", "GET /trace/{name}/log_detail", "GET /trace/{name}/log"):
    EXCLUSIONS[_named] = (
        _STATUS,
        "a name outside ^[A-Za-z]+[A-Za-z0-9-_]*$ fails the path's validate_name/1: 400 "
        "BAD_REQUEST, which the reference omits",
    )
EXCLUSIONS["PUT /trace/{name}/stop"] = (
    (*_STATUS, *_SCHEMA),
    "validate_name/1's 400 on the path; and update_trace/2 answers {enable: false, name}, "
    "not the whole trace the reference declares",
)
EXCLUSIONS["GET /trace/{name}/download"] = (
    (*_STATUS, "content_type_conformance"),
    "validate_name/1's 400 on the path; and the zip goes out as application/x-zip "
    "(do_download_trace_log/3's header), where the reference says application/octet-stream",
)

EXCLUSIONS["GET /data/files/{filename}"] = (
    _SCHEMA,
    "the reference types the file as a JSON string; data_file_by_name/2 answers the archive's "
    "bytes, which minirest_binary_encoder sends as they are under its default "
    "application/json type (a gzip body no JSON reader can read)",
)


# Gateways and ExHook (emqx_gateway_api*.erl, emqx_lwm2m_api.erl, emqx_exhook_api.erl).
_EMPTY_SEGMENT = (
    "an empty path parameter (the reference sets no minLength) collapses the path into another"
    " route or none: cowboy_router answers that route (a list, a 405) or "
    "emqx_dashboard_not_found's HTML 404"
)
_ROUTED = (*_STATUS, "content_type_conformance", *_SCHEMA)
_GATEWAYS: dict[str, tuple[tuple[str, ...], str]] = {
    "GET /gateways": (
        _SCHEMA,
        (
            "the reference's node_status.node is an enum of the one node that generated it "
            "(emqx@127.0.0.1); gateway_status/1 writes node() of each running node"
        ),
    ),
    "GET /gateways/{name}": (
        _SCHEMA,
        (
            "an unloaded gateway is {name, status: unloaded} (gateway/2), which none of the "
            "reference's five configuration schemas admits"
        ),
    ),
    "GET /gateways/{name}/clients": (
        ("not_a_server_error", *_STATUS, *_SCHEMA),
        (
            "a `node` that is not running is 500 NODE_DOWN (clients/2), which the reference omits;"
            " its `data` is a oneOf of five client arrays that all admit any client (and the empty"
            " list), so no answer satisfies it, and it types the `*_max` stats as integers where "
            "format_channel_info/2 writes `infinity`"
        ),
    ),
    "GET /gateways/{name}/clients/{clientid}": (
        _ROUTED,
        (
            "the client is a oneOf of five schemas that all admit any client, the `*_max` stats "
            "are `infinity` (format_channel_info/2); and " + _EMPTY_SEGMENT
        ),
    ),
    "DELETE /gateways/{name}/clients/{clientid}": (_ROUTED, _EMPTY_SEGMENT),
    "POST /gateways/{name}/clients/{clientid}/subscriptions": (_ROUTED, _EMPTY_SEGMENT),
    "DELETE /gateways/{name}/clients/{clientid}/subscriptions/{topic}": (_ROUTED, _EMPTY_SEGMENT),
    "GET /gateways/{name}/listeners/{id}": (_ROUTED, _EMPTY_SEGMENT),
    "PUT /gateways/{name}/listeners/{id}": (_ROUTED, _EMPTY_SEGMENT),
    "DELETE /gateways/{name}/listeners/{id}": (_ROUTED, _EMPTY_SEGMENT),
    "POST /gateways/{name}/listeners/{id}/authentication": (_ROUTED, _EMPTY_SEGMENT),
    "DELETE /gateways/{name}/listeners/{id}/authentication": (
        _STATUS,
        "listeners_insta_authn(delete, …) answers {204}; the reference documents 200 instead",
    ),
    "GET /gateways/{name}/listeners/{id}/authentication/users": (_ROUTED, _EMPTY_SEGMENT),
    "POST /gateways/{name}/listeners/{id}/authentication/users": (
        _ROUTED,
        (
            "an existing user_id is 409 ALREADY_EXISTS (emqx_authn_api:serialize_error/1), which "
            "the reference omits; and " + _EMPTY_SEGMENT
        ),
    ),
    "GET /gateways/{name}/listeners/{id}/authentication/users/{uid}": (_ROUTED, _EMPTY_SEGMENT),
    "PUT /gateways/{name}/listeners/{id}/authentication/users/{uid}": (_ROUTED, _EMPTY_SEGMENT),
    "DELETE /gateways/{name}/listeners/{id}/authentication/users/{uid}": (_ROUTED, _EMPTY_SEGMENT),
    "POST /gateways/{name}/listeners/{id}/authentication/import_users": (_ROUTED, _EMPTY_SEGMENT),
    "POST /gateways/{name}/authentication/users": (
        _STATUS,
        (
            "an existing user_id is 409 ALREADY_EXISTS (emqx_authn_api:serialize_error/1), which "
            "the reference omits"
        ),
    ),
    "GET /gateways/{name}/authentication/users/{uid}": (_ROUTED, _EMPTY_SEGMENT),
    "PUT /gateways/{name}/authentication/users/{uid}": (_ROUTED, _EMPTY_SEGMENT),
    "DELETE /gateways/{name}/authentication/users/{uid}": (_ROUTED, _EMPTY_SEGMENT),
    "POST /gateways/lwm2m/clients/{clientid}/observe": (_ROUTED, _EMPTY_SEGMENT),
    "POST /gateways/lwm2m/clients/{clientid}/read": (_ROUTED, _EMPTY_SEGMENT),
    "POST /gateways/lwm2m/clients/{clientid}/write": (_ROUTED, _EMPTY_SEGMENT),
    "GET /exhooks/{name}": (
        _ROUTED,
        (
            "an unknown server is 404 with code BAD_REQUEST (get_nodes_server_info/1), the "
            "reference allows only NOT_FOUND; and " + _EMPTY_SEGMENT
        ),
    ),
    "PUT /exhooks/{name}": (_ROUTED, _EMPTY_SEGMENT),
    "DELETE /exhooks/{name}": (
        _ROUTED,
        (
            "an unknown server is 404 with code BAD_REQUEST (action_with_name/2), the reference "
            "allows only NOT_FOUND; and " + _EMPTY_SEGMENT
        ),
    ),
    "POST /exhooks/{name}/move": (
        (*_ROUTED, "not_a_server_error"),
        (
            "moving a server before or after an unknown one (or itself) makes move_to/4 return "
            "`not_found` as the new list, which the configuration check refuses: 500 BAD_RPC; an "
            "unknown server is 404 (code BAD_REQUEST), which the reference omits; and "
            + _EMPTY_SEGMENT
        ),
    ),
    "GET /exhooks/{name}/hooks": (_ROUTED, _EMPTY_SEGMENT),
    "POST /gateways/coap/clients/{clientid}/request": (
        ("not_a_server_error", *_ROUTED),
        (
            "the reference lists 200, 404 and 504 only and requires nothing of the body, but "
            "request/2 reads content_type and timeout with maps:get/2 (a crash without them, "
            "required here: 400), the schema check refuses a bad method, content type or "
            "timeout (400), and an application/octet-stream payload that is not base64 "
            "crashes base64:decode/1 in parse_payload/2 (500 INTERNAL_ERROR); and " + _EMPTY_SEGMENT
        ),
    ),
}
EXCLUSIONS.update(_GATEWAYS)


@cache
def reference() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(REFERENCE.read_text("utf-8"))
    return loaded


def reference_operations() -> dict[str, str]:
    """ "METHOD /path" → its tag, for all of the reference."""
    found = {}
    for path, item in reference()["paths"].items():
        for method in METHODS:
            if method in item:
                found[f"{method.upper()} {path}"] = (item[method].get("tags") or ["-"])[0]
    return found


def our_operations() -> set[str]:
    ours = document("emqx-v5.yaml")["paths"]
    return {f"{m.upper()} {p}" for p, item in ours.items() for m in METHODS if m in item}


@needs_reference
def test_the_reference_has_290_operations() -> None:
    assert len(reference_operations()) == 290


@needs_reference
def test_every_operation_of_the_reference_is_ours() -> None:
    """All 290 operations of EMQX's generated 5.8.1 document, each found (method and path) in
    ours: the whole open-source API, nothing left out."""
    missing = sorted(name for name in reference_operations() if name not in our_operations())
    assert missing == []


def test_every_exclusion_names_an_operation_we_serve_and_its_deviation() -> None:
    """Our document says, on each excluded operation, where the reference goes wrong."""
    assert set(EXCLUSIONS) <= our_operations()
    doc = document("emqx-v5.yaml")
    for name in EXCLUSIONS:
        method, path = name.split(" ", 1)
        facts = doc["paths"][path][method.lower()].get("x-emqx", {})
        assert facts.get("reference-deviation"), f"{name}: no x-emqx.reference-deviation"


def runs(names: list[str]) -> dict[tuple[str, ...], list[str]]:
    """The operations grouped by the checks their exclusions switch off (() for none): one
    Schemathesis run per group. (Per-operation check switches in a config file do not reach
    every phase in Schemathesis 4.32, so each group gets `--exclude-checks` instead.)"""
    groups: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for name in names:
        checks = EXCLUSIONS.get(name, ((), ""))[0]
        groups[tuple(sorted(checks))].append(name)
    return dict(groups)


@pytest.mark.slow  # Schemathesis in subprocesses
@needs_reference
def test_the_mock_conforms_to_emqxs_own_document(tmp_path: Path) -> None:
    """Positive mode, every response check, every operation both documents have."""
    names = sorted(our_operations() & set(reference_operations()))
    world = build_world(seed=5, clients=150)
    # A user of its own: the run may log `admin` out, change its password or delete users.
    world.console.add_user("reference_runner", "runner-pass-1", "EMQX's document against us")
    outputs = []
    with serve(create_app(world, MockConfig())) as base:
        login = {"username": "reference_runner", "password": "runner-pass-1"}
        token = httpx.post(base + "/api/v5/login", json=login).json()["token"]
        for excluded, group in sorted(runs(names).items()):
            checks = [c for c in RESPONSE_CHECKS if c not in excluded]
            cmd = [
                sys.executable, "-m", "schemathesis.cli", "--no-color",
                "run", str(REFERENCE), "--url", base + "/api/v5",
                "--mode", "positive", "--phases", "examples,coverage,fuzzing",
                "--checks", ",".join(checks),
                "--max-examples", os.environ.get("REFERENCE_EXAMPLES", "10"), "--seed", "1",
                "--suppress-health-check", "all",
                "-H", f"Authorization: Bearer {token}",
                "--generation-with-security-parameters", "false",
            ]  # fmt: skip
            for name in group:
                cmd += ["--include-name", name]
            result = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
            outputs.append((excluded, len(group), result))
    for excluded, count, result in outputs:
        assert result.returncode == 0, f"without {excluded}:\n" + result.stdout[-6000:]
        assert f"Selected: {count}/290" in result.stdout
