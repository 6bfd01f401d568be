"""`/mqtt/topic_metrics…`: emqx_topic_metrics_api.erl (5.8.1) over the world's topic metrics
(`Diagnostics.topic_metrics`, also 4.x's `/api/v4/topic-metrics`).

EMQX 5 has no switch for them: emqx_modules_app starts `emqx_topic_metrics` with the node.
The world counts a topic while the 4.4 module `emqx_mod_topic_metrics` runs on the node, so
registering through /api/v5 starts that module on every running node (then 4.x sees the
topic too). What the handlers answer, read from the code (the generated document disagrees):

* `POST` answers 200 and the new topic's metrics (`get_cluster_response([Topic])`), not 204;
  an empty topic is 400 BAD_REQUEST, a registered one 400 BAD_TOPIC "Topic already
  registered", a wildcard 400 BAD_TOPIC, the 513th 409 EXCEED_LIMIT.
* `PUT` (`action: reset`) answers 200 with the topic's metrics, or with the list when no
  topic is given; an unregistered topic is 404 TOPIC_NOT_FOUND.
* Counters are `messages.<x>.count` and rates `messages.<x>.rate` (`to_count/1`,
  `to_rate/1`), where the schema says `message.…`. The list is folded by prepending over the
  topic-keyed map (reverse topic order).
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.fixtures.diagnostics import (
    MAX_TOPIC_METRICS,
    TOPIC_COUNTERS,
    DiagnosticsError,
    TopicMetric,
)

from ..paths import path_value
from . import errors, render

MODULE = "emqx_mod_topic_metrics"
_NOT_FOUND = (404, "TOPIC_NOT_FOUND", "Topic not found")


def wildcard(topic: str) -> bool:
    """emqx_topic:wildcard/1: a `+` or `#` level."""
    return any(level in ("+", "#") for level in topic.split("/"))


def shown(metric: TopicMetric) -> dict[str, Any]:
    """emqx_topic_metrics:format/1."""
    counters: dict[str, Any] = {}
    for key in sorted(TOPIC_COUNTERS):
        counters[key] = metric.counts.get(key, 0)
        rate = key.removesuffix(".count") + ".rate"
        counters[rate] = round(float(metric.rates.get(key, 0.0)), 4)
    row: dict[str, Any] = {
        "topic": metric.topic,
        "create_time": render.rfc3339_s(metric.created_at // 1000),
        "metrics": counters,
    }
    if metric.reset_at is not None:
        row["reset_time"] = render.rfc3339_s(metric.reset_at // 1000)
    return row


class TopicMetricsApi:
    def __init__(self, world: World) -> None:
        self.world = world

    def _all(self) -> list[dict[str, Any]]:
        topics = sorted(self.world.diagnostics.topic_metrics, reverse=True)
        return [shown(self.world.diagnostics.topic_metrics[t]) for t in topics]

    def _one(self, topic: str) -> Response:
        metric = self.world.diagnostics.topic_metrics.get(topic)
        return errors.error(*_NOT_FOUND) if metric is None else errors.ok(shown(metric))

    async def list_topic_metrics(self) -> Response:
        return errors.ok(self._all())

    async def reset_topic_metrics(self, body: dict[str, Any]) -> Response:
        diag = self.world.diagnostics
        topic = body.get("topic")
        if topic is None:
            diag.reset_all_topics(self.world.now)
            return errors.ok(self._all())
        if not diag.reset_topic(str(topic), self.world.now):
            return errors.error(*_NOT_FOUND)
        return self._one(str(topic))

    async def add_topic_metrics(self, body: dict[str, Any]) -> Response:
        topic = str(body["topic"])
        if topic == "":
            return errors.bad_request("Topic can not be empty")
        if topic in self.world.diagnostics.topic_metrics:
            return errors.error(400, "BAD_TOPIC", "Topic already registered")
        if wildcard(topic):
            return errors.error(400, "BAD_TOPIC", "Wildcard topic is not supported")
        try:
            self.world.diagnostics.register_topic(topic, self.world.now)
        except DiagnosticsError as exc:
            if exc.reason == "quota_exceeded":
                return errors.error(
                    409, "EXCEED_LIMIT", f"Max topic metrics count is {MAX_TOPIC_METRICS}"
                )
            return errors.error(400, "BAD_TOPIC", "Wildcard topic is not supported")
        for node in self.world.cluster.running_names():  # emqx_topic_metrics:enable/0
            self.world.set_module_active(node, MODULE, True)
        return self._one(topic)

    async def get_topic_metrics(self, topic: str) -> Response:
        return self._one(path_value(topic))

    async def delete_topic_metrics(self, topic: str) -> Response:
        if not self.world.diagnostics.unregister_topic(path_value(topic)):
            return errors.error(*_NOT_FOUND)
        return errors.no_content()
