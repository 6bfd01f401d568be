"""`/data-hub/schemas…` handlers: the Data Hub schema registry, paged like the client list."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from starlette.responses import Response

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.fixtures.datahub import SchemaVersion
from mqtt_api_kit.fixtures.datahub_model import DataHubError

from ..http import json_response
from ..paths import path_value
from . import errors, serialize
from .cursor import Cursors
from .paging import SCHEMA_LIST, walk_era


def csv(value: str | None) -> tuple[str, ...] | None:
    return tuple(v for v in value.split(",") if v) if value else None


def _fields(value: str | None) -> tuple[str, ...]:
    return csv(value) or serialize.SCHEMA_FIELDS


def no_content() -> Response:
    """204 with `Content-Type: application/json`, as HiveMQ's document declares its 204s."""
    return Response(b"", 204, media_type="application/json")


def decode(text: str) -> bytes | None:
    """Strict base64 → bytes; None when it is not base64 or decodes to nothing."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return None
    return raw or None


class DataHubSchemasApi:
    def __init__(self, world: World, cursors: Cursors) -> None:
        self.world = world
        self.cursors = cursors

    async def get_all_schemas(
        self,
        limit: int = SCHEMA_LIST.default_limit,
        cursor: str | None = None,
        fields: str | None = None,
        types: str | None = None,
        schemaIds: str | None = None,
        **_: object,
    ) -> Response:
        kinds, ids = csv(types), csv(schemaIds)

        def rows() -> list[SchemaVersion]:
            return [
                v
                for v in self.world.datahub.all_versions()
                if (kinds is None or v.kind in kinds) and (ids is None or v.schema_id in ids)
            ]

        page = SCHEMA_LIST.page(
            self.cursors,
            walk_era(self.world),
            rows,
            limit,
            cursor,
            filters={"types": types, "schemaIds": schemaIds},
            shown={"fields": fields},
            present=lambda v: self.world.datahub.latest(v.schema_id) is not None,
        )
        if isinstance(page, Response):
            return page
        shown = _fields(fields)
        return page.answer(lambda v: serialize.schema(v, shown))

    async def get_schema(self, schemaId: str, fields: str | None = None, **_: object) -> Response:
        schema_id = path_value(schemaId)
        latest = self.world.datahub.latest(schema_id)
        if latest is None:
            return errors.not_found(schema_id)
        return json_response(serialize.schema(latest, _fields(fields)))

    async def create_schema(self, body: dict[str, Any], **_: object) -> Response:
        schema_id, kind = body["id"], body["type"]
        arguments = body.get("arguments") or {}
        definition = decode(body["schemaDefinition"])
        if definition is None or (kind == "JSON" and not _is_json_object(definition)):
            return errors.error(
                400,
                errors.SCHEMA_NOT_PARSABLE,
                f"The submitted schema '{schema_id}' can not be parsed.",
            )
        if kind == "PROTOBUF" and not arguments.get("messageType"):
            return errors.error(
                400,
                errors.INVALID_RESOURCE,
                "A PROTOBUF schema needs the argument 'messageType'",
            )
        try:
            created = self.world.put_schema(schema_id, kind, definition, arguments)
        except DataHubError as exc:
            return errors.datahub(exc)
        if created is None:
            return errors.error(
                400,
                errors.SCHEMA_PRESENT,
                f"The given schema is already present as the latest version for the schema "
                f"id '{schema_id}'.",
            )
        return json_response(serialize.schema(created), 201)

    async def delete_schema(self, schemaId: str, **_: object) -> Response:
        schema_id = path_value(schemaId)
        try:
            deleted = self.world.delete_schema(schema_id)
        except DataHubError as exc:  # a policy references it
            return errors.datahub(exc)
        return no_content() if deleted else errors.not_found(schema_id)


def _is_json_object(raw: bytes) -> bool:
    try:
        return isinstance(json.loads(raw), dict)
    except (ValueError, UnicodeDecodeError):
        return False
