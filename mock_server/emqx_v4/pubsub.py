"""`/mqtt/publish|subscribe|unsubscribe` and their `_batch` forms (all answers HTTP 200).

Single operations answer `{"code":0}` or the business error; batches always answer
`{"code":0,"data":[…]}` with one result per item, even when every item failed.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from mqtt_api_kit.fixtures import World

from . import errors, pubsub_rules
from .pubsub_rules import Refusal

CHANNEL_NOT_FOUND = "channel_not_found"


def refused(refusal: Refusal) -> Response:
    return errors.error(refusal.code, refusal.message)


class PubSubApi:
    def __init__(self, world: World) -> None:
        self.world = world

    # -- one operation, as a result dict (shared by the single and the batch forms) ------------

    def _subscribe(self, params: dict[str, Any]) -> dict[str, Any]:
        req = pubsub_rules.subscribe(params)
        client = self.world.client(req.clientid)
        if client is None or not client.connected:
            raise Refusal(errors.CLIENT_NOT_FOUND, CHANNEL_NOT_FOUND)
        for topic in req.topics:
            self.world.subscribe(req.clientid, topic, req.qos)
        return {}

    def _unsubscribe(self, params: dict[str, Any]) -> dict[str, Any]:
        clientid, topic = pubsub_rules.unsubscribe(params)
        if not self.world.unsubscribe(clientid, topic):
            raise Refusal(errors.CLIENT_NOT_FOUND, CHANNEL_NOT_FOUND)
        return {}

    def _publish(self, params: dict[str, Any]) -> dict[str, Any]:
        req = pubsub_rules.publish(params)
        ids = [
            # emqx_mgmt:publish/1 counts each as received (emqx_metrics:inc_msg/1)
            self.world.publish(t, req.payload, req.qos, req.retain, req.clientid, received=True)
            for t in req.topics
        ]
        if not req.wants_ids:
            return {}
        return {"data": {"msgids": ids} if req.multi else {"msgid": ids[0]}}

    # -- handlers ----------------------------------------------------------------------------

    async def mqtt_publish(self, body: Any) -> Response:
        return self._single(self._publish, body)

    async def mqtt_subscribe(self, body: Any) -> Response:
        return self._single(self._subscribe, body)

    async def mqtt_unsubscribe(self, body: Any) -> Response:
        return self._single(self._unsubscribe, body)

    async def mqtt_publish_batch(self, body: list[Any]) -> Response:
        results = []
        for item in body:
            if not isinstance(item, dict):
                results.append({"code": errors.BAD_PARAMETER, "message": "bad_params"})
                continue
            try:
                self._publish(item)
                code = 0
            except Refusal as refusal:
                if refusal.message == "bad_params":
                    results.append({"code": refusal.code, "message": refusal.message})
                    continue
                code = refusal.code
            results.append({"topic": _echo_topic(item), "code": code})
        return errors.ok(data=results)

    async def mqtt_subscribe_batch(self, body: list[dict[str, Any]]) -> Response:
        return errors.ok(data=[self._item(self._subscribe, item) for item in body])

    async def mqtt_unsubscribe_batch(self, body: list[dict[str, Any]]) -> Response:
        return errors.ok(data=[self._item(self._unsubscribe, item) for item in body])

    # -- shapes ------------------------------------------------------------------------------

    @staticmethod
    def _single(operation: Any, body: Any) -> Response:
        try:
            return errors.ok(**operation(body if isinstance(body, dict) else {}))
        except Refusal as refusal:
            return refused(refusal)

    @staticmethod
    def _item(operation: Any, item: dict[str, Any]) -> dict[str, Any]:
        try:
            operation(item)
            code = 0
        except Refusal as refusal:
            code = refusal.code
        # an absent client id is the atom `undefined`, which the JSON encoder prints as text
        clientid = item.get("clientid", "undefined")
        return {"clientid": clientid, "topic": _echo_topic(item), "code": code}


def _echo_topic(item: dict[str, Any]) -> Any:
    """Batch items echo `topic`, else the `topics` string, else ""."""
    if "topic" in item:
        return item["topic"]
    return item.get("topics", "")
