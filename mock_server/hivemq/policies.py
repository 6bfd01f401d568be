"""`/data-hub/data-validation/policies…` and `/data-hub/behavior-validation/policies…`.

One handler class per policy kind over the same code: HiveMQ's data and behavior policy
endpoints differ only in their filters (`schemaIds`/`topic` against `clientIds`), their
cursor list and the rules the world checks. Every write answers with the policy's `ETag`;
`If-Match` on an update or delete must equal it (412 otherwise).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, cast

from connexion import request as current_request
from starlette.requests import Request
from starlette.responses import Response

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.fixtures.datahub_model import DataHubError, Policy
from mqtt_api_kit.fixtures.topics import matches

from ..http import json_response
from ..paths import path_value
from . import errors, serialize_datahub
from .cursor import Cursors
from .datahub import csv, no_content
from .paging import BEHAVIOR_POLICY_LIST, DATA_POLICY_LIST, walk_era

_LISTS = {"data": DATA_POLICY_LIST, "behavior": BEHAVIOR_POLICY_LIST}


def _tag(policy: Policy) -> dict[str, str]:
    return {"ETag": f'"{policy.etag}"'}


def _if_match() -> str | None:
    # Connexion's request proxy stands for the Starlette request being served; its stubs do
    # not say so
    headers = cast(Request, current_request).headers
    value: str | None = headers.get("if-match")
    if value is None:
        return None
    return value.strip().removeprefix("W/").strip('"')


def _specificity(topic_filter: str) -> tuple[int, tuple[int, ...]]:
    """Sort key, most specific first: more levels, then literal < `+` < `#` level by level."""
    levels = topic_filter.split("/")
    return (-len(levels), tuple(2 if lv == "#" else 1 if lv == "+" else 0 for lv in levels))


class _PolicyApi:
    kind = "data"

    def __init__(self, world: World, cursors: Cursors) -> None:
        self.world = world
        self.cursors = cursors

    def _list(
        self,
        rows: Callable[[], Sequence[Policy]],
        limit: int,
        cursor: str | None,
        fields: str | None,
        filters: dict[str, str | None],
    ) -> Response:
        page = _LISTS[self.kind].page(
            self.cursors,
            walk_era(self.world),
            rows,
            limit,
            cursor,
            filters=filters,
            shown={"fields": fields},
            present=lambda p: self.world.datahub.policy(self.kind, p.policy_id) is not None,
        )
        if isinstance(page, Response):
            return page
        shown = csv(fields)
        return page.answer(lambda p: serialize_datahub.policy(p, shown))

    def _get(self, policyId: str, fields: str | None) -> Response:
        policy_id = path_value(policyId)
        policy = self.world.datahub.policy(self.kind, policy_id)
        if policy is None:
            return errors.not_found(policy_id)
        return json_response(serialize_datahub.policy(policy, csv(fields)), headers=_tag(policy))

    def _create(self, body: dict[str, Any]) -> Response:
        try:
            policy = self.world.datahub.create_policy(self.kind, body)
        except DataHubError as exc:
            return errors.datahub(exc)
        return json_response(serialize_datahub.policy(policy), 201, _tag(policy))

    def _update(self, policyId: str, body: dict[str, Any]) -> Response:
        try:
            policy = self.world.datahub.update_policy(
                self.kind, path_value(policyId), body, _if_match()
            )
        except DataHubError as exc:
            return errors.datahub(exc)
        return json_response(serialize_datahub.policy(policy), 200, _tag(policy))

    def _delete(self, policyId: str) -> Response:
        policy_id = path_value(policyId)
        try:
            deleted = self.world.datahub.delete_policy(self.kind, policy_id, _if_match())
        except DataHubError as exc:
            return errors.datahub(exc)
        return no_content() if deleted else errors.not_found(policy_id)


class DataPoliciesApi(_PolicyApi):
    kind = "data"

    async def get_all_data_policies(
        self,
        limit: int = DATA_POLICY_LIST.default_limit,
        cursor: str | None = None,
        fields: str | None = None,
        policyIds: str | None = None,
        schemaIds: str | None = None,
        topic: str | None = None,
        **_: object,
    ) -> Response:
        ids, schemas = csv(policyIds), csv(schemaIds)

        def rows() -> list[Policy]:
            found = [
                p
                for p in self.world.datahub.policies("data")
                if (ids is None or p.policy_id in ids)
                and (schemas is None or any(p.references_schema(s) for s in schemas))
                and (topic is None or matches(p.matching, topic))
            ]
            if topic is not None:
                found.sort(key=lambda p: _specificity(p.matching))
            return found

        filters = {"policyIds": policyIds, "schemaIds": schemaIds}
        if topic is not None:  # "'topic' filtering does not support pagination"
            # …but the parameters are still checked: a cursor the broker never issued is
            # refused as `limit` out of range is (the reference is silent on either).
            refused = (
                self._list(rows, limit, cursor, fields, filters) if cursor is not None else None
            )
            if refused is not None and refused.status_code != 200:
                return refused
            shown = csv(fields)
            return json_response({"items": [serialize_datahub.policy(p, shown) for p in rows()]})
        return self._list(rows, limit, cursor, fields, filters)

    async def create_data_policy(self, body: dict[str, Any], **_: object) -> Response:
        return self._create(body)

    async def get_data_policy(
        self, policyId: str, fields: str | None = None, **_: object
    ) -> Response:
        return self._get(policyId, fields)

    async def update_data_policy(
        self, policyId: str, body: dict[str, Any], **_: object
    ) -> Response:
        return self._update(policyId, body)

    async def delete_data_policy(self, policyId: str, **_: object) -> Response:
        return self._delete(policyId)


class BehaviorPoliciesApi(_PolicyApi):
    kind = "behavior"

    async def get_all_behavior_policies(
        self,
        limit: int = BEHAVIOR_POLICY_LIST.default_limit,
        cursor: str | None = None,
        fields: str | None = None,
        policyIds: str | None = None,
        clientIds: str | None = None,
        **_: object,
    ) -> Response:
        ids, clients = csv(policyIds), csv(clientIds)

        def rows() -> list[Policy]:
            return [
                p
                for p in self.world.datahub.policies("behavior")
                if (ids is None or p.policy_id in ids)
                and (clients is None or any(_matches(p.matching, c) for c in clients))
            ]

        filters = {"policyIds": policyIds, "clientIds": clientIds}
        return self._list(rows, limit, cursor, fields, filters)

    async def create_behavior_policy(self, body: dict[str, Any], **_: object) -> Response:
        return self._create(body)

    async def get_behavior_policy(
        self, policyId: str, fields: str | None = None, **_: object
    ) -> Response:
        return self._get(policyId, fields)

    async def update_behavior_policy(
        self, policyId: str, body: dict[str, Any], **_: object
    ) -> Response:
        return self._update(policyId, body)

    async def delete_behavior_policy(self, policyId: str, **_: object) -> Response:
        return self._delete(policyId)


def _matches(pattern: str, clientid: str) -> bool:
    try:
        return re.fullmatch(pattern, clientid) is not None
    except re.error:
        return False
