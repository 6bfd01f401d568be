"""`GET /schemas/{name}`: emqx_dashboard_schema_api.erl (5.8.1), the schema JSON the dashboard
builds its forms from, without credentials.

emqx_dashboard_swagger:gen_api_schema_json_iodata/3 writes, for one API module, `info`
(`title`, `version` 0.2.0), `paths` (minirest's `/x/:id` form → each method's 200 JSON
schema) and `components.schemas` (everything those schemas refer to). The mock's API modules
are its document: each name takes the paths of the module the broker reads (hotconf:
emqx_mgmt_api_configs; bridges: emqx_bridge_api; actions: emqx_bridge_v2_api, actions and
sources; connectors: emqx_connector_api), with the schemas our document gives them — the
shapes the mock answers, not hocon's own type names.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from functools import cache
from typing import Any

from starlette.responses import Response

from mqtt_api_kit.openapi import document

_TITLES = {
    "hotconf": ("Hot Conf Schema", ("/configs",)),
    "bridges": ("Data Bridge Schema", ("/bridges",)),
    "actions": (
        "Actions and Sources Schema",
        ("/actions", "/action_types", "/sources", "/source_types"),
    ),
    "connectors": ("Connectors Schema", ("/connectors",)),
}
_REF = "#/components/schemas/"


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(_REF):
            yield ref[len(_REF) :]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _resolved(node: Any, doc: dict[str, Any]) -> Any:
    """A response's schema with references to `components/responses` put in place."""
    ref = node.get("$ref") if isinstance(node, dict) else None
    if isinstance(ref, str) and ref.startswith("#/components/responses/"):
        return doc["components"]["responses"][ref.rsplit("/", 1)[1]]
    return node


@cache
def _schema_text(name: str) -> bytes:
    """Built once per name: the document is fixed for the life of the process."""
    doc = document("emqx-v5.yaml")
    title, prefixes = _TITLES[name]
    paths: dict[str, dict[str, Any]] = {}
    for path, item in doc["paths"].items():
        if not path.startswith(prefixes):
            continue
        methods: dict[str, Any] = {}
        for method, operation in item.items():
            if method not in ("get", "put", "post", "delete", "patch"):
                continue  # a path item's shared `parameters`
            answer = _resolved(operation.get("responses", {}).get("200"), doc)
            schema = (answer or {}).get("content", {}).get("application/json", {}).get("schema")
            if schema is not None:
                methods[method] = copy.deepcopy(schema)
        paths[re.sub(r"\{([^}]+)\}", r":\1", path)] = methods
    components: dict[str, Any] = {}
    wanted = [ref for schema in paths.values() for ref in _refs(schema)]
    while wanted:
        ref = wanted.pop()
        if ref in components or ref not in doc["components"]["schemas"]:
            continue
        components[ref] = copy.deepcopy(doc["components"]["schemas"][ref])
        wanted += _refs(components[ref])
    body = {
        "info": {"title": title, "version": "0.2.0"},
        "paths": paths,
        "components": {"schemas": dict(sorted(components.items()))},
    }
    return json.dumps(body, indent=2, ensure_ascii=False).encode()


class SchemasApi:
    async def get_schema(self, name: str) -> Response:
        """get_schema/2 → gen_schema/1; `name` is one of the four (the path's enum)."""
        return Response(_schema_text(name), 200, media_type="application/json")
