"""`/data-hub/scripts…` handlers: transformation scripts, versioned like schemas.

HiveMQ compiles a script's JavaScript and needs it to define `transform(publish, context)`
(Data Hub "Scripts": "the function must be named transform"); the mock cannot run
JavaScript, so it checks that the source is base64 of UTF-8 text that defines that function.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.responses import Response

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.fixtures.datahub_model import DataHubError, ScriptVersion

from ..http import json_response
from ..paths import path_value
from . import errors, serialize_datahub
from .cursor import Cursors
from .datahub import csv, decode, no_content
from .paging import SCRIPT_LIST, walk_era

_TRANSFORM = re.compile(r"\bfunction\s+transform\s*\(")


def _fields(value: str | None) -> tuple[str, ...] | None:
    return csv(value)


def _javascript(source: str) -> bytes | None:
    raw = decode(source)
    if raw is None:
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return raw if _TRANSFORM.search(text) else None


class DataHubScriptsApi:
    def __init__(self, world: World, cursors: Cursors) -> None:
        self.world = world
        self.cursors = cursors

    async def get_all_scripts(
        self,
        limit: int = SCRIPT_LIST.default_limit,
        cursor: str | None = None,
        fields: str | None = None,
        functionTypes: str | None = None,
        scriptIds: str | None = None,
        **_: object,
    ) -> Response:
        kinds, ids = csv(functionTypes), csv(scriptIds)

        def rows() -> list[ScriptVersion]:
            return [
                v
                for v in self.world.datahub.all_scripts()
                if (kinds is None or v.function_type in kinds)
                and (ids is None or v.script_id in ids)
            ]

        page = SCRIPT_LIST.page(
            self.cursors,
            walk_era(self.world),
            rows,
            limit,
            cursor,
            filters={"functionTypes": functionTypes, "scriptIds": scriptIds},
            shown={"fields": fields},
            present=lambda v: self.world.datahub.script(v.script_id) is not None,
        )
        if isinstance(page, Response):
            return page
        shown = _fields(fields)
        return page.answer(lambda v: serialize_datahub.script(v, shown))

    async def get_script(self, scriptId: str, fields: str | None = None, **_: object) -> Response:
        script_id = path_value(scriptId)
        latest = self.world.datahub.script(script_id)
        if latest is None:
            return errors.not_found(script_id)
        return json_response(serialize_datahub.script(latest, _fields(fields)))

    async def create_script(self, body: dict[str, Any], **_: object) -> Response:
        script_id = body["id"]
        source = _javascript(body["source"])
        if source is None:
            return errors.error(
                400,
                errors.SCRIPT_NOT_PARSABLE,
                f"The submitted script '{script_id}' can not be parsed: its source must be "
                "base64 of JavaScript that defines function transform(publish, context).",
            )
        try:
            created = self.world.datahub.put_script(
                script_id, body["functionType"], body.get("description"), source
            )
        except DataHubError as exc:
            return errors.datahub(exc)
        if created is None:
            return errors.error(
                400,
                errors.SCRIPT_PRESENT,
                "The given script is identical to the latest version of the script with id "
                f"'{script_id}'.",
            )
        return json_response(serialize_datahub.script(created), 201)

    async def delete_script(self, scriptId: str, **_: object) -> Response:
        script_id = path_value(scriptId)
        try:
            deleted = self.world.datahub.delete_script(script_id)
        except DataHubError as exc:  # a data policy calls it
            return errors.datahub(exc)
        return no_content() if deleted else errors.not_found(script_id)
