"""`/authorization…`: sources, settings, the cache and the built-in database's rules
(emqx_authz_api_sources/settings/cache.erl, emqx_authz_api_mnesia.erl, 5.8.1).

Sources and settings are the `authorization` configuration root (`World.settings`): a file
source shows its ACL text as `rules`. The built-in database's rules are the world's ACL
rules (`World.auth_db`), the ones EMQX 4.x's `emqx_auth_mnesia` lists: `publish`/`subscribe`/
`all` are 4.x's `pub`/`sub`/`pubsub`. Every rules route answers 404 `Not found:
built_in_database` while that source is not configured (the routes' `filter`,
is_configured_authz_source/2).
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.fixtures.auth_db import AclRule
from mqtt_api_kit.fixtures.settings import ACL_CONF

from ..paths import path_value
from . import errors, paging, render

SOURCE_TYPES = (
    "file",
    "built_in_database",
    "http",
    "redis",
    "mysql",
    "postgresql",
    "mongodb",
    "ldap",
)
_TO_V4 = {"publish": "pub", "subscribe": "sub", "all": "pubsub"}
_FROM_V4 = {v: k for k, v in _TO_V4.items()}
_DB = "built_in_database"


def rule_out(rule: AclRule) -> dict[str, Any]:
    """emqx_authz_rule_raw:format_rule/1 with rich actions (the default)."""
    return {
        "topic": rule.topic,
        "permission": rule.access,
        "action": _FROM_V4.get(rule.action, rule.action),
        "qos": list(rule.qos),
        "retain": "all" if rule.retain is None else rule.retain,
    }


def rule_in(kind: str, login: str | None, raw: dict[str, Any], now: int) -> AclRule:
    retain = raw.get("retain", "all")
    return AclRule(
        kind,
        login,
        str(raw["topic"]),
        _TO_V4[str(raw["action"])],
        str(raw["permission"]),
        now,
        tuple(int(q) for q in raw.get("qos", (0, 1, 2))),
        None if retain == "all" else bool(retain),
    )


class AuthzApi:
    def __init__(self, world: World) -> None:
        self.world = world

    # -- configuration -----------------------------------------------------------------------

    def _conf(self) -> dict[str, Any]:
        conf: dict[str, Any] = self.world.settings.get("authorization")
        return conf

    def _sources(self) -> list[dict[str, Any]]:
        return list(self._conf().get("sources", []))

    def _store_sources(self, sources: list[dict[str, Any]]) -> None:
        conf = self._conf()
        conf["sources"] = sources
        self.world.settings.replace("authorization", conf)

    def _source(self, kind: str) -> dict[str, Any] | None:
        return next((s for s in self._sources() if s.get("type") == kind), None)

    @staticmethod
    def _shown(source: dict[str, Any]) -> dict[str, Any]:
        """maybe_read_source_files/1: a file source shows its rules, not its path."""
        if source.get("type") == "file" and "path" in source:
            shown = {k: v for k, v in source.items() if k != "path"}
            return {**shown, "rules": ACL_CONF}
        return source

    def _missing(self, kind: str) -> Response:
        return errors.not_found(f"Not found: {kind}")

    async def list_authz_sources(self) -> Response:
        return errors.ok({"sources": [self._shown(s) for s in self._sources()]})

    async def create_authz_source(self, body: dict[str, Any]) -> Response:
        """?CMD_PREPEND: a new source goes first; one of a type already present is refused."""
        kind = str(body["type"])
        if self._source(kind) is not None:
            return errors.bad_request(f"{{already_exists,{{source,{kind}}}}}")
        self._store_sources([{"enable": True, **body}, *self._sources()])
        return errors.no_content()

    async def get_authz_source(self, type: str) -> Response:
        source = self._source(type)
        return errors.ok(self._shown(source)) if source else self._missing(type)

    async def update_authz_source(self, type: str, body: dict[str, Any]) -> Response:
        sources = self._sources()
        index = next((i for i, s in enumerate(sources) if s.get("type") == type), None)
        if index is None:
            return self._missing(type)
        if body.get("type") != type:
            return errors.bad_request("Type mismatch")
        sources[index] = {"enable": True, **body}
        self._store_sources(sources)
        return errors.no_content()

    async def delete_authz_source(self, type: str) -> Response:
        sources = self._sources()
        kept = [s for s in sources if s.get("type") != type]
        if len(kept) == len(sources):
            return self._missing(type)
        self._store_sources(kept)
        return errors.no_content()

    async def get_authz_source_status(self, type: str) -> Response:
        if self._source(type) is None:
            return self._missing(type)
        nodes = self.world.cluster.running_names()
        per_node = []
        for node in nodes:
            m = self.world.cluster.metrics(node)
            checks = int(m.get("client.check_acl", 0))
            per_node.append(
                (
                    node,
                    {
                        "total": checks,
                        "allow": checks,
                        "deny": 0,
                        "nomatch": 0,
                        "ignore": 0,
                        "rate": 0.0,
                        "rate_last5m": 0.0,
                        "rate_max": 0.0,
                    },
                )
            )
        return errors.ok(render.metrics_status(per_node))

    async def move_authz_source(self, type: str, body: dict[str, Any]) -> Response:
        sources = self._sources()
        current = next((s for s in sources if s.get("type") == type), None)
        if current is None:
            return self._missing(type)
        where = str(body["position"])
        rest = [s for s in sources if s is not current]
        if where == "front":
            moved = [current, *rest]
        elif where == "rear":
            moved = [*rest, current]
        elif where in ("before:", "after:"):
            side = "before" if where == "before:" else "after"
            return errors.bad_request(f"Invalid parameter. Cannot be placed {side} an empty target")
        elif where.startswith(("before:", "after:")):
            target = where.partition(":")[2]
            at = next((i for i, s in enumerate(rest) if s.get("type") == target), None)
            if at is None:
                return errors.not_found(f"source {target} not found")
            at += where.startswith("after:")
            moved = [*rest[:at], current, *rest[at:]]
        else:
            return errors.bad_request("Invalid parameter. Unknow position")
        self._store_sources(moved)
        return errors.no_content()

    async def reorder_authz_sources(self, body: list[dict[str, Any]]) -> Response:
        wanted = [str(item["type"]) for item in body]
        sources = self._sources()
        kinds = [str(s.get("type")) for s in sources]
        missing = [k for k in wanted if k not in kinds]
        unplaced = [k for k in kinds if k not in wanted]
        if missing or unplaced:
            parts = []
            if missing:
                parts.append("Authorization sources: " + ", ".join(missing) + " are not found")
            if unplaced:
                parts.append(
                    "No positions are specified for authorization sources: " + ", ".join(unplaced)
                )
            return errors.bad_request(", ".join(parts))
        by_kind = {str(s.get("type")): s for s in sources}
        self._store_sources([by_kind[k] for k in wanted])
        return errors.no_content()

    async def get_authz_settings(self) -> Response:
        return errors.ok({k: v for k, v in self._conf().items() if k != "sources"})

    async def update_authz_settings(self, body: dict[str, Any]) -> Response:
        conf = self._conf()
        cache = {**conf["cache"], **body["cache"]}
        conf.update(no_match=body["no_match"], deny_action=body["deny_action"], cache=cache)
        self.world.settings.replace("authorization", conf)
        return errors.ok({k: v for k, v in conf.items() if k != "sources"})

    async def clean_authz_cache(self) -> Response:
        self.world.drain_acl_cache()
        return errors.no_content()

    # -- the built-in database's rules -------------------------------------------------------

    def _db_source(self) -> dict[str, Any] | None:
        return self._source(_DB)

    def _listed(self, kind: str, query: dict[str, Any], key: str) -> Response:
        if self._db_source() is None:
            return self._missing(_DB)
        page, limit = paging.params(query)
        like = query.get(f"like_{key}")
        logins = list(dict.fromkeys(r.login for r in self.world.auth_db.acl_rules(kind)))
        logins = [n for n in logins if n is not None and (like is None or str(like) in n)]
        taken, hasnext = paging.page_of(logins, page, limit)
        data = [
            {key: n, "rules": [rule_out(r) for r in self.world.auth_db.rules_of(kind, n)]}
            for n in taken
        ]
        count = None if like is not None else len(logins)
        return errors.ok({"data": data, "meta": paging.meta(page, limit, hasnext, count)})

    def _too_many(self, rules: list[Any]) -> bool:
        source = self._db_source() or {}
        return len(rules) > int(source.get("max_rules", 100))

    def _created(self, kind: str, key: str, body: list[dict[str, Any]]) -> Response:
        if self._db_source() is None:
            return self._missing(_DB)
        who = "User" if kind == "username" else "Client"
        for item in body:
            login = str(item[key])
            if self.world.auth_db.acl_of(kind, login):
                return errors.error(409, "ALREADY_EXISTS", f"{who} '{login}' already exist")
            if self._too_many(item["rules"]):
                return errors.bad_request(
                    f"The rules length of {who} '{login}' exceeds the maximum limit."
                )
        for item in body:
            login = str(item[key])
            rules = [rule_in(kind, login, r, self.world.now) for r in item["rules"]]
            self.world.auth_db.set_rules(kind, login, rules)
        return errors.no_content()

    def _one(self, kind: str, key: str, login: str) -> Response:
        if self._db_source() is None:
            return self._missing(_DB)
        rules = self.world.auth_db.rules_of(kind, login)
        if not rules:
            return errors.not_found("Not Found")
        return errors.ok({key: login, "rules": [rule_out(r) for r in rules]})

    def _replaced(self, kind: str, key: str, login: str, body: dict[str, Any]) -> Response:
        if self._db_source() is None:
            return self._missing(_DB)
        if str(body.get(key)) != login:  # no clause of user/2 matches: the broker crashes
            return errors.bad_request(f"The {key} in the body is not the one in the path")
        if self._too_many(body["rules"]):
            return errors.bad_request("The rules length exceeds the maximum limit.")
        rules = [rule_in(kind, login, r, self.world.now) for r in body["rules"]]
        self.world.auth_db.set_rules(kind, login, rules)
        return errors.no_content()

    def _deleted(self, kind: str, login: str, what: str) -> Response:
        if self._db_source() is None:
            return self._missing(_DB)
        if not self.world.auth_db.acl_of(kind, login):
            return errors.not_found(f"{what} Not Found")
        self.world.auth_db.set_rules(kind, login, [])
        return errors.no_content()

    async def list_authz_user_rules(self, **query: Any) -> Response:
        return self._listed("username", query, "username")

    async def create_authz_user_rules(self, body: list[dict[str, Any]]) -> Response:
        return self._created("username", "username", body)

    async def get_authz_user_rules(self, username: str) -> Response:
        return self._one("username", "username", path_value(username))

    async def update_authz_user_rules(self, username: str, body: dict[str, Any]) -> Response:
        return self._replaced("username", "username", path_value(username), body)

    async def delete_authz_user_rules(self, username: str) -> Response:
        return self._deleted("username", path_value(username), "Username")

    async def list_authz_client_rules(self, **query: Any) -> Response:
        return self._listed("clientid", query, "clientid")

    async def create_authz_client_rules(self, body: list[dict[str, Any]]) -> Response:
        return self._created("clientid", "clientid", body)

    async def get_authz_client_rules(self, clientid: str) -> Response:
        return self._one("clientid", "clientid", path_value(clientid))

    async def update_authz_client_rules(self, clientid: str, body: dict[str, Any]) -> Response:
        return self._replaced("clientid", "clientid", path_value(clientid), body)

    async def delete_authz_client_rules(self, clientid: str) -> Response:
        return self._deleted("clientid", path_value(clientid), "ClientID")

    async def get_authz_all_rules(self) -> Response:
        if self._db_source() is None:
            return self._missing(_DB)
        return errors.ok({"rules": [rule_out(r) for r in self.world.auth_db.rules_of("all", None)]})

    async def set_authz_all_rules(self, body: dict[str, Any]) -> Response:
        if self._db_source() is None:
            return self._missing(_DB)
        if self._too_many(body["rules"]):
            return errors.bad_request("The length of rules exceeds the maximum limit.")
        rules = [rule_in("all", None, r, self.world.now) for r in body["rules"]]
        self.world.auth_db.set_rules("all", None, rules)
        return errors.no_content()

    async def delete_authz_all_rules(self) -> Response:
        if self._db_source() is None:
            return self._missing(_DB)
        self.world.auth_db.set_rules("all", None, [])
        return errors.no_content()

    async def purge_authz_rules(self) -> Response:
        source = self._db_source()
        if source is None:  # rules(delete, …) answers 404 with code BAD_REQUEST
            return errors.error(404, "BAD_REQUEST", "'built_in_database' type source is not found.")
        if source.get("enable", True):
            return errors.bad_request(
                "'built_in_database' type source must be disabled before purge."
            )
        self.world.auth_db.purge_rules()
        return errors.no_content()
