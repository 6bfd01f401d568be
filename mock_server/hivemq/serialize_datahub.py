"""Data Hub records → HiveMQ JSON: scripts, data and behavior policies, client states.

Key order follows HiveMQ's examples (`id`, `createdAt`, `lastUpdatedAt`, then the sections);
`fields` picks keys and keeps that order. Absent values are omitted.
"""

from __future__ import annotations

import base64
from typing import Any

from mqtt_api_kit.fixtures.behaviors import StateInfo
from mqtt_api_kit.fixtures.datahub_model import Policy, ScriptVersion

from .serialize import rfc3339

SCRIPT_FIELDS = ("id", "version", "createdAt", "description", "functionType", "source")
DATA_POLICY_FIELDS = (
    "id",
    "createdAt",
    "lastUpdatedAt",
    "matching",
    "validation",
    "onSuccess",
    "onFailure",
)
BEHAVIOR_POLICY_FIELDS = (
    "id",
    "createdAt",
    "lastUpdatedAt",
    "matching",
    "deserialization",
    "behavior",
    "onTransitions",
)
POLICY_FIELDS = {"data": DATA_POLICY_FIELDS, "behavior": BEHAVIOR_POLICY_FIELDS}


def _pick(
    body: dict[str, Any], order: tuple[str, ...], fields: tuple[str, ...] | None
) -> dict[str, Any]:
    return {k: body[k] for k in order if k in body and (fields is None or k in fields)}


def script(v: ScriptVersion, fields: tuple[str, ...] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": v.script_id,
        "version": v.version,
        "createdAt": rfc3339(v.created_at),
        "functionType": v.function_type,
        "source": base64.b64encode(v.source).decode(),
    }
    if v.description is not None:
        body["description"] = v.description
    return _pick(body, SCRIPT_FIELDS, fields)


def policy(p: Policy, fields: tuple[str, ...] | None = None) -> dict[str, Any]:
    body = {
        "id": p.policy_id,
        "createdAt": rfc3339(p.created_at),
        "lastUpdatedAt": rfc3339(p.updated_at),
        **p.body(),
    }
    return _pick(body, POLICY_FIELDS[p.kind], fields)


def state(s: StateInfo) -> dict[str, Any]:
    return {
        "policyId": s.policy_id,
        "behaviorId": s.behavior_id,
        "stateType": s.state_type,
        "stateName": s.state_name,
        "firstSetAt": rfc3339(s.first_set_at),
        "arguments": dict(s.arguments),
        "variables": dict(s.variables),
    }
