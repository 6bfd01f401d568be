"""`/subscriptions…`: the cluster's subscription table, filtered and paged as 4.4.19 does.

Two code paths in the broker, kept apart here too:
* without `topic`: paging style 1 (`count` is -1 once a filter is recognised); filters
  `clientid`, `qos`, `share` (exact group) and `_match_topic` (MQTT matching);
* with `topic`: an exact-topic lookup, then in-memory filtering by `qos`, `clientid` and
  `share` (a **prefix** test on `$share/<group>`), then style-3 paging (`count` = matches).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import unquote

from starlette.responses import Response

from mqtt_api_kit.fixtures import Client, Subscription, World
from mqtt_api_kit.fixtures.topics import matches

from ..paths import path_value
from . import errors, serialize
from .query import Page, matching

FILTERS = frozenset({"clientid", "qos", "share", "_match_topic"})
Row = tuple[Client, Subscription]


def _subscriber_filters(params: dict[str, Any]) -> list[Callable[[Row], bool]]:
    preds: list[Callable[[Row], bool]] = []
    if "clientid" in params:
        preds.append(lambda r: r[1].clientid == params["clientid"])
    if "qos" in params:
        preds.append(lambda r: r[1].qos == params["qos"])
    return preds


def _filters(params: dict[str, Any]) -> list[Callable[[Row], bool]]:
    """The table query's filters: `share` names the group exactly."""
    preds = _subscriber_filters(params)
    if "share" in params:
        preds.append(lambda r: r[1].group == params["share"])
    if "_match_topic" in params:
        preds.append(lambda r: matches(str(params["_match_topic"]), r[1].topic))
    return preds


def _topic_filters(params: dict[str, Any]) -> list[Callable[[Row], bool]]:
    """The `topic=` path's in-memory filters: `share` is a prefix test on the rendered topic,
    so group `g` also keeps group `gx` (reference §6.1)."""
    preds = _subscriber_filters(params)
    if "share" in params:
        prefix = f"$share/{params['share']}"
        preds.append(lambda r: serialize.subscription("", r[1])["topic"].startswith(prefix))
    return preds


class SubscriptionsApi:
    def __init__(self, world: World) -> None:
        self.world = world

    def _running(self) -> list[str]:
        return [n.name for n in self.world.running_nodes()]

    def _rows(self, node: str | None) -> Iterator[Row]:
        return self.world.subscriptions(node)

    def _filtered(self, node: str | None, params: dict[str, Any]) -> Iterable[Row]:
        """The rows a filtered query reads: with `clientid`, that session's subscriptions
        only (the rows of others cannot match), else the whole table."""
        if "clientid" not in params:
            return self._rows(node)
        client = self.world.client(str(params["clientid"]))
        if client is None:
            return []
        if client.node != node if node is not None else client.node not in self._running():
            return []
        return [(client, s) for s in self.world.subscriptions_of(client.clientid)]

    def _list(self, node: str | None, params: dict[str, Any]) -> Response:
        page = Page.from_params(params)
        if "topic" in params:
            return self._by_topic(node, unquote(str(params["topic"])), page, params)
        if FILTERS.intersection(params):
            rows, hasnext = page.take(matching(self._filtered(node, params), _filters(params)))
        else:  # the table's window, found by cumulative counts (fixtures/sessions.py)
            rows, hasnext = page.cut(self.world.sessions.subscription_slice(*page.window(), node))
        count = -1 if FILTERS.intersection(params) else self.world.subscription_count(node)
        data = [serialize.subscription(c.node, s) for c, s in rows]
        return errors.ok(data=data, meta=page.meta(count, hasnext))

    def _by_topic(
        self, node: str | None, topic: str, page: Page, params: dict[str, Any]
    ) -> Response:
        found = [r for r in self._rows(node) if r[1].topic == topic]
        found = list(matching(found, _topic_filters(params)))
        start = page.offset
        rows = found[start : start + page.limit]
        meta = page.meta(len(found), start + page.limit < len(found))
        return errors.ok(data=[serialize.subscription(c.node, s) for c, s in rows], meta=meta)

    def _of_client(self, node: str | None, clientid: str) -> Response:
        client = self.world.client(path_value(clientid))
        if client is None or (node is not None and client.node != node):
            return errors.ok(data=[])
        subs = self.world.subscriptions_of(client.clientid)
        return errors.ok(data=[serialize.subscription(client.node, s) for s in subs])

    async def list_subscriptions(self, **params: Any) -> Response:
        return self._list(None, params)

    async def list_node_subscriptions(self, node: str, **params: Any) -> Response:
        if self.world.node(node) is None:
            return errors.route_not_found()
        return self._list(node, params)

    async def get_client_subscriptions(self, clientid: str) -> Response:
        return self._of_client(None, clientid)

    async def get_node_client_subscriptions(self, node: str, clientid: str) -> Response:
        if self.world.node(node) is None:
            return errors.route_not_found()
        return self._of_client(node, clientid)
