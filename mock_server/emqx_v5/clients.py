"""`/clients…` and `/sessions_count`: emqx_mgmt_api_clients.erl (5.8.1) over the world."""

from __future__ import annotations

import ipaddress
import sys
from datetime import datetime
from typing import Any, Literal

from starlette.responses import Response

from mqtt_api_kit.fixtures import Client, World
from mqtt_api_kit.fixtures.columns import Condition
from mqtt_api_kit.fixtures.topics import is_filter, split_share

from ..paths import path_value
from . import errors, paging, render

_NOT_FOUND = ("CLIENTID_NOT_FOUND", "Client ID not found")
_OPTIONS = ("qos", "nl", "rap", "rh")  # subscription options, each defaulting to 0


def _not_found() -> Response:
    return errors.error(404, *_NOT_FOUND)


def _invalid(key: str, kind: str, value: str) -> Response:
    """list_clients/1 on emqx_mgmt_api:parse_qstring/2's `bad_value_type`."""
    return errors.bad_request(
        f"the {key} parameter expected type is {kind}, but the value is {value}",
        "INVALID_PARAMETER",
    )


def epoch_ms(value: Any) -> int | None:
    """emqx_utils_calendar:to_epoch_millisecond/1: digits are ms, else RFC 3339."""
    text = str(value).strip()
    if text.isdigit():
        return int(text)
    try:
        return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)
    except ValueError:
        return None


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def conditions(query: dict[str, Any]) -> tuple[list[Condition], bool] | Response:
    """The filters of `?CLIENT_QSCHEMA` as column conditions (fixtures/columns.py), and
    whether one is fuzzy (no `count` then)."""
    conds: list[Condition] = []
    for field in ("clientid", "username"):
        wanted = _as_list(query.get(field))
        if wanted:
            conds.append(Condition(field, "in", frozenset(wanted)))
    if query.get("ip_address") is not None:
        raw = str(query["ip_address"])
        try:
            address = ipaddress.ip_address(raw)
        except ValueError:
            return _invalid("ip_address", "ip", raw)
        conds.append(Condition("ip_address", "=:=", _address(address)))
    if query.get("conn_state") is not None:
        conds.append(Condition("conn_state", "=:=", str(query["conn_state"])))
    if query.get("clean_start") is not None:
        conds.append(Condition("clean_start", "=:=", "true" if query["clean_start"] else "false"))
    if query.get("proto_ver") is not None:
        raw = str(query["proto_ver"])
        if not raw.lstrip("-").isdigit():
            return _invalid("proto_ver", "integer", raw)
        conds.append(Condition("proto_ver", "=:=", int(raw)))
    for field in ("created_at", "connected_at"):
        for op in ("gte", "lte"):
            raw_value = query.get(f"{op}_{field}")
            if raw_value is None:
                continue
            bound = epoch_ms(raw_value)
            if bound is None:
                return errors.bad_request(f"the {op}_{field} parameter is not a timestamp")
            conds.append(Condition(field, ">=" if op == "gte" else "=<", bound))
    fuzzy = False
    for field in ("clientid", "username"):
        needle = query.get(f"like_{field}")
        if needle is not None:
            fuzzy = True
            conds.append(Condition(field, "like", str(needle)))
    return conds, fuzzy


def _address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> tuple[int, ...]:
    """The address as the columns compare one (its dotted parts). An IPv6 address is given
    a shape no IPv4 address has, so it matches nothing: every session the world generates
    connects over IPv4, and the mock's own listeners answer on 127.0.0.1."""
    if isinstance(address, ipaddress.IPv4Address):
        return tuple(address.packed)
    return (-1, *address.packed)


class ClientsApi:
    def __init__(self, world: World) -> None:
        self.world = world

    def _row(self, client: Client, fields: str | None = None) -> dict[str, Any]:
        row = render.client(client, self.world.sessions.subscription_count_of(client.clientid))
        if fields and fields != "all":
            wanted = {f for f in fields.split(",") if f}
            row = {k: v for k, v in row.items() if k in wanted}
        return row

    def _client(self, clientid: str) -> Client | None:
        return self.world.client(path_value(clientid))

    async def list_clients(self, **query: Any) -> Response:
        page, limit = paging.params(query)
        found = conditions(query)
        if isinstance(found, Response):
            return found
        conds, fuzzy = found
        node = query.get("node")
        if node is not None:
            owner = self.world.node(str(node))
            if owner is None or not owner.running:
                reason = "nodedown" if owner else '<<"invalid node">>'
                shown = f"'{node}'" if owner else f'<<"{node}">>'
                return errors.error(500, "NODE_DOWN", f"bad rpc call {shown}, Reason {reason}")
        where = str(node) if node is not None else None
        # Column masks and the page's window (fixtures/sessions.py `query`): the cost of the
        # answer, not of the table, with or without filters.
        start = (page - 1) * limit
        sessions = self.world.sessions
        # A page past any table (pos_integer has no bound) is empty; its count is not.
        stop = start + limit + 1 if start < sys.maxsize - limit else start
        count: int | None = None
        if fuzzy:  # no count: the broker does not give one for a fuzzy search
            rows = sessions.query(conds, start, stop, where)
        else:  # the page and its count from one column mask
            rows, count = sessions.counted_query(conds, start, stop, where)
        rows, hasnext = rows[:limit], len(rows) > limit
        data = [self._row(c, query.get("fields")) for c in rows]
        return errors.ok({"data": data, "meta": paging.meta(page, limit, hasnext, count)})

    async def get_client(self, clientid: str) -> Response:
        client = self._client(clientid)
        return errors.ok(self._row(client)) if client else _not_found()

    async def kick_client(self, clientid: str) -> Response:
        if not self.world.remove_client(path_value(clientid)):
            return _not_found()
        return errors.no_content()

    async def kickout_clients(self, body: list[str]) -> Response:
        """emqx_mgmt:kickout_clients/1: every node kicks what it has; always 204."""
        for clientid in body:
            self.world.remove_client(str(clientid))
        return errors.no_content()

    async def get_client_authz_cache(self, clientid: str) -> Response:
        client = self._client(clientid)
        if client is None:
            return _not_found()
        return errors.ok(
            [
                {
                    "access": entry.access,
                    "result": "allow" if entry.allowed else "deny",
                    "topic": entry.topic,
                    "updated_time": entry.updated_at,
                }
                for entry in client.acl_cache
            ]
        )

    async def clean_client_authz_cache(self, clientid: str) -> Response:
        client = self._client(clientid)
        if client is None:
            return _not_found()
        if client.connected:
            self.world.clear_acl_cache(client.clientid)
        return errors.no_content()

    async def list_client_subscriptions(self, clientid: str) -> Response:
        client = self._client(clientid)
        if client is None:
            return _not_found()
        subs = self.world.subscriptions_of(client.clientid)
        return errors.ok([render.subscription(client.node, s) for s in subs])

    def _subscribe(self, client: Client, spec: dict[str, Any]) -> dict[str, Any] | Response:
        topic = str(spec["topic"])
        options = {k: int(spec.get(k, 0)) for k in _OPTIONS}
        group, _ = split_share(topic)
        if group is not None and options["nl"]:
            return errors.bad_request(
                "Invalid Subscribe options: `no_local` not allowed for shared-sub. "
                "See [MQTT-3.8.3-4]",
                "INVALID_PARAMETER",
            )
        # The API answers once the channel has the request; a filter the channel then
        # refuses (emqx_channel:process_subscribe/2) is simply not subscribed.
        if is_filter(topic):
            self.world.sessions.subscribe(
                client.clientid,
                topic,
                options["qos"],
                offline_too=True,
                no_local=bool(options["nl"]),
                retain_as_published=bool(options["rap"]),
                retain_handling=options["rh"],
            )
        return {**options, "node": client.node, "clientid": client.clientid, "topic": topic}

    async def subscribe_client(self, clientid: str, body: dict[str, Any]) -> Response:
        client = self._client(clientid)
        if client is None:
            return _not_found()
        result = self._subscribe(client, body)
        return result if isinstance(result, Response) else errors.ok(result)

    async def subscribe_client_bulk(self, clientid: str, body: list[dict[str, Any]]) -> Response:
        """emqx_mgmt_util:batch_operation/3: the list of results, or `{succeed, failed}`."""
        client = self._client(clientid)
        if client is None:
            return _not_found()
        done: list[dict[str, Any]] = []
        failed: list[dict[str, Any]] = []
        for spec in body:
            result = self._subscribe(client, spec)
            if isinstance(result, Response):
                options = {k: spec.get(k, 0) for k in _OPTIONS}
                args = [client.clientid, spec["topic"], options]
                failed.append({"data": args, "reason": "invalid_subopts_nl"})
            else:
                done.append(result)
        return errors.ok({"succeed": done, "failed": failed} if failed else done)

    async def unsubscribe_client(self, clientid: str, body: dict[str, Any]) -> Response:
        client = self._client(clientid)
        if client is None:
            return _not_found()
        self.world.sessions.unsubscribe(client.clientid, str(body["topic"]), offline_too=True)
        return errors.no_content()

    async def unsubscribe_client_bulk(self, clientid: str, body: list[dict[str, Any]]) -> Response:
        client = self._client(clientid)
        if client is None:
            return _not_found()
        for spec in body:
            if "topic" in spec:
                self.world.sessions.unsubscribe(
                    client.clientid, str(spec["topic"]), offline_too=True
                )
        return errors.no_content()

    async def list_client_mqueue_messages(self, clientid: str, **query: Any) -> Response:
        return self._messages(clientid, "mqueue", query)

    async def list_client_inflight_messages(self, clientid: str, **query: Any) -> Response:
        return self._messages(clientid, "inflight", query)

    def _messages(self, clientid: str, kind: str, query: dict[str, Any]) -> Response:
        """emqx_mgmt_api_clients:list_client_msgs/3 over emqx_mqueue:query/2 (or the
        inflight window's): messages after `position`, at most `limit`, and the payloads
        within `max_payload_bytes` (the first message always)."""
        limit = int(query.get("limit") or paging.DEFAULT_LIMIT)
        position = decode_position(kind, query.get("position"))
        if position is False:
            return errors.bad_request("position_limit_invalid", "INVALID_PARAMETER")
        max_bytes = bytesize(str(query.get("max_payload_bytes") or "1MB"))
        if max_bytes is None or max_bytes <= 0:
            return errors.bad_request(
                '{"kind":"validation_error","path":"max_payload_bytes",'
                '"reason":"must be higher than 0"}'
            )
        client = self._client(clientid)
        if client is None:
            return _not_found()
        messages = (
            self.world.messaging.mqueue(client.clientid)
            if kind == "mqueue"
            else self.world.messaging.inflight(client.clientid)
        )
        start = _encode(kind, messages[0]) if messages else "none"
        after = [m for m in messages if position is None or _key(kind, m) > position]
        chunk = after[:limit]
        end = _encode(kind, chunk[-1]) if chunk else _encode_key(kind, position)
        payload = str(query.get("payload") or "base64")
        data: list[dict[str, Any]] = []
        total = 0
        for message in chunk:
            row, size = render.queued(message, kind, payload)
            if data and total + size > max_bytes:
                break
            data.append(row)
            total += size
        return errors.ok({"data": data, "meta": {"start": start, "position": end}})

    async def get_sessions_count(self, since: int = 0) -> Response:
        """emqx_cm_registry_keeper:count/1: sessions registered in the cluster, also those
        disconnected after `since` (seconds) while `broker.session_history_retain` keeps
        them (0s by default: live sessions only). The body is the number as a string."""
        count = self.world.client_count()
        return errors.ok(str(count))


Key = tuple[int, int]


def _key(kind: str, message: Any) -> Key:
    return (message.inserted_at, message.priority) if kind == "mqueue" else (message.inserted_at, 0)


def _encode_key(kind: str, key: Key | None) -> str:
    if key is None:
        return "none"
    return f"{key[0]}_{key[1]}" if kind == "mqueue" else str(key[0])


def _encode(kind: str, message: Any) -> str:
    return _encode_key(kind, _key(kind, message))


def decode_position(kind: str, raw: Any) -> Key | Literal[False] | None:
    """None: from the start; False: not a position this queue can read."""
    if raw is None or raw == "none":
        return None
    text = str(raw)
    try:
        if kind == "mqueue":
            ts, _, prio = text.partition("_")
            if not _:
                return False
            return int(ts), (10**9 if prio == "infinity" else int(prio))
        return int(text), 0
    except ValueError:
        return False


def bytesize(text: str) -> int | None:
    """hocon's bytesize: an integer with an optional KB/MB/GB unit (powers of 1024)."""
    units = {"kb": 1 << 10, "mb": 1 << 20, "gb": 1 << 30, "b": 1}
    lowered = text.strip().lower()
    for unit, factor in units.items():
        if lowered.endswith(unit) and lowered[: -len(unit)].isdigit():
            return int(lowered[: -len(unit)]) * factor
    return int(lowered) if lowered.isdigit() else None
