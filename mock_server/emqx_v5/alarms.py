"""`/alarms`: emqx_mgmt_api_alarms.erl (5.8.1) over the world's node alarms.

`activated` defaults to true in the handler (`maps:get(<<"activated">>, QString, true)`),
though the schema's description says false: the code wins. Rows are every running node's
alarms of that kind, node by node (`emqx_mgmt_api:cluster_query/5`), formatted by
`emqx_alarm:format/2`: `duration` in ms (until now for an active alarm), times RFC 3339 with
milliseconds. `DELETE` drops the history of every node (delete_all_deactivated_alarms/0).
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from mqtt_api_kit.fixtures import Alarm, World

from . import errors, paging, render


def alarm_out(node: str, alarm: Alarm, now: int) -> dict[str, Any]:
    row: dict[str, Any] = {
        "node": node,
        "name": alarm.name,
        "message": alarm.message,
        "duration": (alarm.deactivated_at or now) - alarm.activated_at,
        "activate_at": render.rfc3339_ms(alarm.activated_at),
        "details": dict(alarm.details),
    }
    if alarm.deactivated_at is not None:
        row["deactivate_at"] = render.rfc3339_ms(alarm.deactivated_at)
    return row


class AlarmsApi:
    def __init__(self, world: World) -> None:
        self.world = world

    async def list_alarms(self, **query: Any) -> Response:
        page, limit = paging.params(query)
        activated = query.get("activated", True) is not False
        now = self.world.now
        rows = [
            alarm_out(node.name, alarm, now)
            for node in self.world.running_nodes()
            for alarm in node.alarms
            if alarm.active is activated
        ]
        taken, more = paging.page_of(rows, page, limit)
        return errors.ok({"data": taken, "meta": paging.meta(page, limit, more, len(rows))})

    async def delete_alarms(self) -> Response:
        for node in self.world.running_nodes():
            self.world.purge_alarm_history(node.name)
        return errors.no_content()
