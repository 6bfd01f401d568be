"""`/subscriptions` and `/topics…`: emqx_mgmt_api_subscriptions.erl, emqx_mgmt_api_topics.erl.

Subscriptions are listed node by node (running nodes in name order), each client's in the
order it made them. Routes are derived from the subscriptions: one per distinct filter per
node, and one per shared group and filter (`$share/<group>/<filter>`, EMQX 5 routes shared
subscriptions to `{Group, Node}`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from starlette.responses import Response

from mqtt_api_kit.fixtures import Client, Subscription, World
from mqtt_api_kit.fixtures.topics import is_filter, matches, split_share

from ..paths import path_value
from . import errors, paging, render


def _node_down(node: str, world: World) -> Response:
    """do_subscriptions_query_mem/1: an unknown node name is a failed RPC, 500 NODE_DOWN."""
    owner = world.node(node)
    shown, reason = (f"'{node}'", "nodedown") if owner else (f'<<"{node}">>', '<<"invalid node">>')
    return errors.error(500, "NODE_DOWN", f"bad rpc call {shown}, Reason {reason}")


class SubscriptionsApi:
    def __init__(self, world: World) -> None:
        self.world = world

    async def list_subscriptions(self, **query: Any) -> Response:
        page, limit = paging.params(query)
        match = query.get("match_topic")
        if match is not None and (not is_filter(str(match)) or split_share(str(match))[0]):
            return errors.bad_request("match_topic_invalid", "INVALID_PARAMETER")
        node = query.get("node")
        if node is not None:
            owner = self.world.node(str(node))
            if owner is None or not owner.running:
                return _node_down(str(node), self.world)
        if query.get("durable") is True:  # no durable sessions: the durable query is empty
            return errors.ok({"data": [], "meta": paging.meta(page, limit, False)})
        where = str(node) if node is not None else None
        if all(query.get(k) is None for k in ("clientid", "qos", "topic", "share_group")) and (
            match is None
        ):  # the table's own order: a window of it and its size, without walking it
            start = (page - 1) * limit
            window = self.world.sessions.subscription_slice(start, start + limit + 1, where)
            taken, hasnext = window[:limit], len(window) > limit
            count: int | None = self.world.sessions.subscription_count(where)
        else:
            taken, hasnext = paging.page_of(self._matching(where, query), page, limit)
            count = None
        if count is None and match is None:  # a fuzzy filter cannot be counted (counting_total_fun)
            count = sum(1 for _ in self._matching(where, query))
        data = [render.subscription(c.node, s) for c, s in taken]
        return errors.ok({"data": data, "meta": paging.meta(page, limit, hasnext, count)})

    def _matching(
        self, node: str | None, query: dict[str, Any]
    ) -> Iterator[tuple[Client, Subscription]]:
        clientid, qos = query.get("clientid"), query.get("qos")
        topic, group = query.get("topic"), query.get("share_group")
        match = query.get("match_topic")
        shared_group, shared_topic = split_share(str(topic)) if topic is not None else (None, None)
        for client, sub in self.world.subscriptions(node):
            if clientid is not None and client.clientid != clientid:
                continue
            if qos is not None and sub.qos != int(qos):
                continue
            if topic is not None:
                # A `$share/g/t` topic names the group too; a plain one matches any group.
                if sub.topic != shared_topic or (shared_group and sub.group != shared_group):
                    continue
            if group is not None and sub.group != group:
                continue
            if match is not None and not matches(str(match), sub.topic):
                continue
            yield client, sub

    # -- topics ------------------------------------------------------------------------------

    def _routes(self) -> list[dict[str, str]]:
        seen: dict[tuple[str, str], dict[str, str]] = {}
        for client, sub in self.world.subscriptions():
            key = (render.share_topic(sub), client.node)
            if key not in seen:
                seen[key] = {"topic": key[0], "node": client.node}
        return list(seen.values())

    async def list_topics(self, **query: Any) -> Response:
        page, limit = paging.params(query)
        topic, node = query.get("topic"), query.get("node")
        routes = self._routes()
        if topic is not None:
            wanted = str(topic)
            routes = [r for r in routes if r["topic"] == wanted]
        if node is not None:
            routes = [r for r in routes if r["node"] == node]
        taken, hasnext = paging.page_of(routes, page, limit)
        # format_response_meta/3: `count` when nothing is filtered (the router's route count)
        # or when the query read the routes to their end (how many it saw).
        filtered = topic is not None or node is not None
        count = len(routes) if not filtered or not hasnext else None
        return errors.ok({"data": taken, "meta": paging.meta(page, limit, hasnext, count)})

    async def get_topic(self, topic: str) -> Response:
        name = path_value(topic)
        found = [r for r in self._routes() if r["topic"] == name]
        if not found:
            return errors.error(404, "TOPIC_NOT_FOUND", "Topic not found")
        return errors.ok(found)
