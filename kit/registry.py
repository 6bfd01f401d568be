"""One frozen description per broker API: the facts both the mock and the suite need.

Adding an API is one entry here, its dialect package under `mock_server/`, its document under
`openapi/`, and its checks under `contract_tests/checks/`. Nothing here knows HTTP servers or
Schemathesis: plain data, imported by both sides (the suite still never imports the mock).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

__all__ = [
    "APIS",
    "EMQX_V2",
    "EMQX_V4",
    "EMQX_V5",
    "HIVEMQ",
    "Api",
    "DiscoverySource",
    "NotServed",
    "api",
    "detect",
]


@dataclass(frozen=True, slots=True)
class DiscoverySource:
    """Where the suite reads real identifiers on a target before a run (GET only).

    `path` is relative to the base path; `{node}` stands for the first node found before it.
    The values are `rows[*][key]`, with `rows` reached from the JSON body by `container`.
    """

    path: str
    container: tuple[str, ...]
    key: str
    dictionary: str  # the Schemathesis dictionary the values feed
    parameters: tuple[str, ...]  # Schemathesis parameter keys bound to it (`path.clientid`)
    probability: float  # how often a bound parameter takes a discovered value


@dataclass(frozen=True, slots=True)
class NotServed:
    """How this API says "no such route": the status, and a body that is one of `bodies` (the
    exact bytes) or, for JSON, holds `json_code` as `code`. A target answering so does not
    serve the operation at all."""

    status: int
    bodies: tuple[bytes, ...] = ()
    json_code: int | None = None


@dataclass(frozen=True, slots=True)
class Api:
    name: str  # "emqx-v4": the CLI's --api value, the dialect's name, the JUnit classname
    title: str  # for people: "EMQX 4.x"
    family: str  # "emqx" | "hivemq": how a rejection looks (robustness)
    base_path: str
    document: str  # file name in `mqtt_api_kit.openapi`
    # The broker's out-of-the-box credentials; None: it ships without authentication.
    default_auth: tuple[str, str] | None
    probe: str  # a cheap GET (relative to the base) that needs credentials: the preflight
    checks: tuple[str, ...]  # the suite's own checks for valid requests (contract_tests.checks)
    discovery: tuple[DiscoverySource, ...] = ()
    not_served: NotServed = NotServed(404)
    aliases: tuple[str, ...] = field(default=())  # other base paths that mean this API
    # Whether the broker's 401 carries `WWW-Authenticate` (the suite's security probe checks it).
    challenges: bool = True
    # Schemathesis settings (TOML) every run against this API needs, appended to its config:
    # per-operation allowances for what the broker does by design and a check would misread.
    suite_config: str = ""


EMQX_V5 = Api(
    name="emqx-v5",
    title="EMQX 5.x",
    # Rejections are 4xx with a JSON `{"code": "...", "message": ...}` body, which the EMQX
    # family's robustness rule already accepts (it also accepts 4.x's HTTP 200 + code).
    family="emqx",
    base_path="/api/v5",
    document="emqx-v5.yaml",
    # Basic credentials on /api/v5 are an API key (key:secret). A stock EMQX 5 has none until
    # one is created or listed in `api_key.bootstrap_file` (default ""); the mock starts with
    # its `--auth` pair (admin:public unless given) as a bootstrap key, so this default works
    # against the mock, and `--auth KEY:SECRET` is what a real broker needs.
    default_auth=("admin", "public"),
    probe="/clients?limit=1",
    checks=("emqx_v5_error_shape", "emqx_v5_paging_meta"),
    discovery=(
        DiscoverySource("/nodes", (), "node", "nodes", ("path.node",), 0.9),
        # A `node` filter that names no running node is a failed RPC, 500 NODE_DOWN
        # (emqx_mgmt_api_clients:list_clients/1): valid requests name real nodes only.
        DiscoverySource("/nodes", (), "node", "node_filters", ("query.node",), 1.0),
        DiscoverySource(
            "/clients?limit=25", ("data",), "clientid", "clients", ("path.clientid",), 0.6
        ),
        DiscoverySource(
            "/clients?limit=25", ("data",), "username", "usernames", ("path.username",), 0.6
        ),
    ),
    # A `node` filter naming no running node is a failed RPC: 500 NODE_DOWN by design
    # (emqx_mgmt_api_clients:list_clients/1, emqx_mgmt_api_subscriptions, and the gateway
    # clients' emqx_gateway_api_clients:clients/2, which asks every node), and so is a
    # delayed message deleted on a node that is not running (emqx_delayed_api.erl
    # delayed_message(delete, …): its badrpc matches no clause), and the configuration of one
    # (emqx_mgmt_api_configs get_configs_v2/1 asks it over RPC and hocon_pp crashes on the
    # badrpc: 500 INTERNAL_ERROR; get_configs_v1/1 answers 500 BAD_NODE). Generated values
    # rarely name a real node, so that documented 500 is not read as a crash there.
    suite_config=(
        "\n[[operations]]\n"
        'include-name-regex = "^(GET /(clients|subscriptions|configs'
        "|gateways/\\\\{name\\\\}/clients)"
        '|DELETE /mqtt/delayed/messages/\\\\{node\\\\}/\\\\{msgid\\\\})$"\n'
        'checks.not_a_server_error.expected-statuses = ["2xx", "3xx", "4xx", "500"]\n'
        # A CoAP request is answered 504 CLIENT_NOT_RESPONSE when the device does not answer
        # within `timeout`, and 500 when an octet-stream payload is not base64 (base64:decode/1
        # crashes in emqx_coap_api:parse_payload/2): both are the operation's documented answers.
        "\n[[operations]]\n"
        'include-name-regex = "^POST /gateways/coap/clients/\\\\{clientid\\\\}/request$"\n'
        'checks.not_a_server_error.expected-statuses = ["2xx", "3xx", "4xx", "500", "504"]\n'
        # A relup upload form without its `plugin` file is a crash, 500 INTERNAL_ERROR
        # `error, function_clause`: emqx_dashboard_swagger:check_request_body/5 does not check
        # a raw multipart map and no clause of '/relup/package/upload'/2 matches one without
        # `plugin` (emqx_mgmt_api_relup.erl). The document allows the form without it (the
        # broker does not refuse it), so a positive case may send one.
        "\n[[operations]]\n"
        'include-name-regex = "^POST /relup/package/upload$"\n'
        'checks.not_a_server_error.expected-statuses = ["2xx", "3xx", "4xx", "500"]\n'
    ),
    # emqx_dashboard_not_found.erl: 404 before any credential check, body by `Accept`
    # (text/html by default, text/plain, or this JSON for `application/json`).
    not_served=NotServed(
        404,
        bodies=(
            b'{"code": "NOT_FOUND", "message": "Request Path Not Found"}',
            b"<html><head><title>404 - NOT FOUND</title></head><body><h1>404 - NOT FOUND"
            b"</h1></body></html>",
            b"404 - NOT FOUND",
        ),
    ),
)

EMQX_V4 = Api(
    name="emqx-v4",
    title="EMQX 4.x",
    family="emqx",
    base_path="/api/v4",
    document="emqx-v4.yaml",
    default_auth=("admin", "public"),  # the default API application
    probe="/clients?_limit=1",
    checks=("emqx_business_code", "emqx_paging_meta"),
    discovery=(
        DiscoverySource("/nodes", ("data",), "node", "nodes", ("path.node",), 0.9),
        DiscoverySource(
            "/clients?_limit=25", ("data",), "clientid", "clients", ("path.clientid",), 0.6
        ),
        DiscoverySource(
            "/clients?_limit=25", ("data",), "username", "usernames", ("path.username",), 0.6
        ),
    ),
    # minirest: `Not found.` in plain text (minirest_handler.erl, 0.3.12); NanoMQ's EMQX-shaped
    # API: `{"code":102}` without a Content-Type (nanomq/rest_api.c, process_request)
    not_served=NotServed(404, bodies=(b"Not found.",), json_code=102),
    # minirest.erl apply_handler/3: 401 `UNAUTHORIZED` + `Basic Realm="minirest-server"`
    aliases=("/api",),  # EMQX Cloud serves the 4.x API under plain /api
)

EMQX_V2 = Api(
    name="emqx-v2",
    title="EMQ 2.3",
    family="emqx",
    base_path="/api/v2",
    document="emqx-v2.yaml",
    default_auth=("admin", "public"),  # the default dashboard user
    probe="/management/nodes",
    checks=("emqx_business_code", "emqx_v2_paging"),
    discovery=(
        DiscoverySource("/management/nodes", ("result",), "name", "nodes", ("path.node",), 0.9),
        DiscoverySource(
            "/nodes/{node}/clients?page_size=25",
            ("result", "objects"),
            "client_id",
            "clients",
            ("path.clientid",),
            0.6,
        ),
    ),
    not_served=NotServed(404, bodies=(b"",)),  # 2.3's cowboy dispatcher: 404, empty body
    # emqttd_http.erl: 401 with `WWW-Authenticate: Basic Realm="emqx control center"`
)

HIVEMQ = Api(
    name="hivemq",
    title="HiveMQ",
    family="hivemq",
    base_path="/api/v1",
    document="hivemq.yaml",
    default_auth=None,  # HiveMQ's REST API is open out of the box
    probe="/mqtt/clients?limit=50",
    checks=("hivemq_error_shape", "hivemq_cursor_walk"),
    discovery=(
        DiscoverySource(
            "/mqtt/clients?limit=50", ("items",), "id", "clients", ("path.clientId",), 0.6
        ),
        DiscoverySource(
            "/management/backups", ("items",), "id", "backups", ("path.backupId",), 0.8
        ),
        DiscoverySource(
            "/management/trace-recordings",
            ("items",),
            "name",
            "trace_recordings",
            ("path.traceRecordingId",),
            0.8,
        ),
        DiscoverySource(
            "/data-hub/schemas?limit=50", ("items",), "id", "schemas", ("path.schemaId",), 0.6
        ),
        DiscoverySource(
            "/data-hub/scripts?limit=50", ("items",), "id", "scripts", ("path.scriptId",), 0.6
        ),
        # Data and behavior policies share the path parameter `policyId`; one dictionary can
        # feed it, so the data policies' ids do (a behavior policy id there meets a 404).
        DiscoverySource(
            "/data-hub/data-validation/policies?limit=50",
            ("items",),
            "id",
            "policies",
            ("path.policyId",),
            0.6,
        ),
    ),
    not_served=NotServed(404),
    # HiveMQ's reference declares no security; a protected REST API challenges with Basic
    # (the mock and `openapi/hivemq.yaml` say so, as the reference is silent)
)

APIS: dict[str, Api] = {a.name: a for a in (EMQX_V4, EMQX_V2, HIVEMQ, EMQX_V5)}


def api(name: str) -> Api:
    return APIS[name]


def detect(url: str) -> Api | None:
    """The API whose base path ends the URL's path (`http://h:8081/api/v4` → EMQX 4.x), or one
    of its aliases (EMQX Cloud's `https://x.emqx.cloud:8443/api` → EMQX 4.x)."""
    path = urlsplit(url).path.rstrip("/")
    for candidate in APIS.values():
        if path.endswith(candidate.base_path):
            return candidate
    for candidate in APIS.values():
        if any(path.endswith(alias) for alias in candidate.aliases):
            return candidate
    return None
