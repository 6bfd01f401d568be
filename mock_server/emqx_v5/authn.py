"""`/authentication…`: the global authentication chain (emqx_authn_api.erl,
emqx_authn_user_import_api.erl, 5.8.1).

The chain is the `authentication` configuration root (`World.settings`), a list of
authenticators each identified as `<mechanism>:<backend>` (or `<mechanism>` alone, `jwt`).
The built-in database's users are the world's credentials (`World.auth_db`): those of the
authenticator's `user_id_type` (`username` or `clientid`) — the same users EMQX 4.x's
`emqx_auth_mnesia` lists; SCRAM users are kept apart (kind `scram:username`). Other backends
hold no users here (400 `Operation not supported in this authentication type`).
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any, cast

import connexion
from starlette.responses import Response

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.fixtures.auth_db import Refused

from ..paths import path_value
from . import errors, paging, render

# The providers of the open-source edition: mechanism → backends (None: no backend).
PROVIDERS: dict[str, tuple[str | None, ...]] = {
    "password_based": (
        "built_in_database",
        "mysql",
        "postgresql",
        "mongodb",
        "redis",
        "http",
        "ldap",
    ),
    "scram": ("built_in_database",),
    "jwt": (None,),
}
_BUILT_IN_DEFAULTS: dict[str, Any] = {
    "enable": True,
    "user_id_type": "username",
    "password_hash_algorithm": {"name": "sha256", "salt_position": "prefix"},
    "bootstrap_file": "${EMQX_ETC_DIR}/auth-built-in-db-bootstrap.csv",
    "bootstrap_type": "plain",
}


def authenticator_id(config: dict[str, Any]) -> str:
    """emqx_authn_config:authenticator_id/1."""
    backend = config.get("backend")
    return f"{config['mechanism']}:{backend}" if backend else str(config["mechanism"])


def filled(config: dict[str, Any]) -> dict[str, Any]:
    """emqx_authn:fill_defaults/1 for the fields the mock knows defaults of."""
    result = {"enable": True, **config}
    if authenticator_id(config) in ("password_based:built_in_database", "scram:built_in_database"):
        defaults = dict(_BUILT_IN_DEFAULTS)
        if config.get("mechanism") == "scram":
            defaults = {"enable": True, "algorithm": "sha256", "iteration_count": 4096}
        result = {**defaults, **result}
    return result


def _not_found(auth_id: str) -> Response:
    return errors.not_found(f"Authenticator '{auth_id}' does not exist")


def _erl(value: str) -> str:
    return '<<"' + value.replace('"', '\\"') + '">>'


class AuthnApi:
    def __init__(self, world: World) -> None:
        self.world = world

    def _chain(self) -> list[dict[str, Any]]:
        chain: list[dict[str, Any]] = self.world.settings.get("authentication")
        return chain

    def _find(self, auth_id: str) -> dict[str, Any] | None:
        return next((a for a in self._chain() if authenticator_id(a) == auth_id), None)

    def _kind(self, config: dict[str, Any]) -> str | None:
        """The credentials kind an authenticator's users are, None when it has none."""
        auth_id = authenticator_id(config)
        if auth_id == "password_based:built_in_database":
            return str(config.get("user_id_type", "username"))
        if auth_id == "scram:built_in_database":
            return "scram:username"
        return None

    def _user_error(self, auth_id: str, reason: str) -> Response:
        """serialize_error({user_error, Reason}) of emqx_authn_chains' answers."""
        if not self._chain():
            return errors.not_found("Authenticator not found in the 'global' scope")
        if reason == "no_authenticator":
            return errors.bad_request(
                f"User error: {{not_found,{{authenticator,{_erl(auth_id)}}}}}"
            )
        return errors.bad_request("Operation not supported in this authentication type")

    # -- the chain ---------------------------------------------------------------------------

    async def list_authenticators(self) -> Response:
        return errors.ok([{**a, "id": authenticator_id(a)} for a in self._chain()])

    async def create_authenticator(self, body: dict[str, Any]) -> Response:
        problem = _provider_problem(body)
        if problem:
            return errors.bad_request(problem)
        auth_id = authenticator_id(body)
        chain = self._chain()
        if any(authenticator_id(a) == auth_id for a in chain):
            return errors.error(409, "ALREADY_EXISTS", f"Authenticator '{auth_id}' already exist")
        config = filled(body)
        self.world.settings.replace("authentication", [*chain, config])
        return errors.ok({**config, "id": auth_id})

    async def get_authenticator(self, id: str) -> Response:
        auth_id = path_value(id)
        found = self._find(auth_id)
        return errors.ok({**found, "id": auth_id}) if found else _not_found(auth_id)

    async def update_authenticator(self, id: str, body: dict[str, Any]) -> Response:
        auth_id = path_value(id)
        chain = self._chain()
        index = next((i for i, a in enumerate(chain) if authenticator_id(a) == auth_id), None)
        if index is None:
            return _not_found(auth_id)
        problem = _provider_problem(body)
        if problem:
            return errors.bad_request(problem)
        if authenticator_id(body) != auth_id:
            return errors.bad_request("Change of authentication type is not allowed")
        chain[index] = filled(body)
        self.world.settings.replace("authentication", chain)
        return errors.no_content()

    async def delete_authenticator(self, id: str) -> Response:
        auth_id = path_value(id)
        chain = self._chain()
        kept = [a for a in chain if authenticator_id(a) != auth_id]
        if len(kept) == len(chain):
            return _not_found(auth_id)
        self.world.settings.replace("authentication", kept)
        return errors.no_content()

    async def get_authenticator_status(self, id: str) -> Response:
        """lookup_from_all_nodes/2: the authenticator's counters per running node."""
        auth_id = path_value(id)
        if self._find(auth_id) is None:
            return _not_found(auth_id)
        per_node = []
        for node in self.world.cluster.running_names():
            m = self.world.cluster.metrics(node)
            total = int(m.get("client.authenticate", 0))
            anonymous = int(m.get("client.auth.anonymous", 0))
            counters = {"total": total, "success": total - anonymous}
            counters.update(failed=0, nomatch=anonymous)
            per_node.append((node, {**counters, "rate": 0.0, "rate_last5m": 0.0, "rate_max": 0.0}))
        return errors.ok(render.metrics_status(per_node))

    async def move_authenticator(self, id: str, position: str) -> Response:
        auth_id, where = path_value(id), path_value(position)
        chain = self._chain()
        current = next((a for a in chain if authenticator_id(a) == auth_id), None)
        if current is None:
            return _not_found(auth_id)
        rest = [a for a in chain if a is not current]
        if where == "front":
            moved = [current, *rest]
        elif where == "rear":
            moved = [*rest, current]
        elif where.startswith(("before:", "after:")) and where.partition(":")[2]:
            target = where.partition(":")[2]
            at = next((i for i, a in enumerate(rest) if authenticator_id(a) == target), None)
            if at is None:
                return _not_found(target)
            at += where.startswith("after:")
            moved = [*rest[:at], current, *rest[at:]]
        else:
            return errors.bad_request("Invalid value for 'position'")
        self.world.settings.replace("authentication", moved)
        return errors.no_content()

    async def reorder_authenticators(self, body: list[dict[str, Any]]) -> Response:
        wanted = [str(item["id"]) for item in body]
        chain = self._chain()
        ids = [authenticator_id(a) for a in chain]
        missing = [i for i in wanted if i not in ids]
        unplaced = [i for i in ids if i not in wanted]
        if missing or unplaced:
            parts = []
            if missing:
                parts.append("Authenticators: " + ", ".join(missing) + " are not found")
            if unplaced:
                parts.append(
                    "No positions are specified for authenticators: " + ", ".join(unplaced)
                )
            return errors.bad_request(", ".join(parts))
        by_id = {authenticator_id(a): a for a in chain}
        self.world.settings.replace("authentication", [by_id[i] for i in wanted])
        return errors.no_content()

    # -- users -------------------------------------------------------------------------------

    def _users_of(self, auth_id: str) -> tuple[str | None, Response | None]:
        config = self._find(auth_id)
        if config is None:
            return None, self._user_error(auth_id, "no_authenticator")
        kind = self._kind(config)
        if kind is None:
            return None, self._user_error(auth_id, "unsupported")
        return kind, None

    async def list_authenticator_users(self, id: str, **query: Any) -> Response:
        kind, refusal = self._users_of(path_value(id))
        return refusal or list_users(self.world, str(kind), query)

    async def create_authenticator_user(self, id: str, body: dict[str, Any]) -> Response:
        kind, refusal = self._users_of(path_value(id))
        return refusal or add_user(self.world, str(kind), body)

    async def get_authenticator_user(self, id: str, user_id: str) -> Response:
        kind, refusal = self._users_of(path_value(id))
        return refusal or find_user(self.world, str(kind), path_value(user_id))

    async def update_authenticator_user(
        self,
        id: str,
        user_id: str,
        body: dict[str, Any],
    ) -> Response:
        kind, refusal = self._users_of(path_value(id))
        return refusal or update_user(self.world, str(kind), path_value(user_id), body)

    async def delete_authenticator_user(self, id: str, user_id: str) -> Response:
        kind, refusal = self._users_of(path_value(id))
        return refusal or delete_user(self.world, str(kind), path_value(user_id))

    async def import_authenticator_users(
        self,
        id: str,
        type: str = "hash",
        body: Any = None,
        filename: Any = None,
    ) -> Response:
        """emqx_authn_chains:import_users/3: a JSON list, or a CSV/JSON file (`filename`)."""
        kind, refusal = self._users_of(path_value(id))
        if refusal is not None:
            return refusal
        rows = await uploaded_users(body, filename)
        if isinstance(rows, Response):
            return rows
        return import_users(self.world, str(kind), type, rows)


# -- a built-in database's users (emqx_authn_api.erl list_users/3 … delete_user/3), for any
# chain: the global one above and each gateway's (emqx_gateway_api_authn.erl) --------------


def _shown(login: str, superuser: bool) -> dict[str, Any]:
    return {"user_id": login, "is_superuser": superuser}


def list_users(world: World, kind: str, query: dict[str, Any]) -> Response:
    page, limit = paging.params(query)
    like, superuser = query.get("like_user_id"), query.get("is_superuser")
    rows = [
        u
        for u in world.auth_db.users(kind)
        if (like is None or str(like) in u.login)
        and (superuser is None or u.is_superuser is bool(superuser))
    ]
    taken, hasnext = paging.page_of(rows, page, limit)
    data = [_shown(u.login, u.is_superuser) for u in taken]
    count = None if like is not None else len(rows)
    return errors.ok({"data": data, "meta": paging.meta(page, limit, hasnext, count)})


def add_user(world: World, kind: str, body: dict[str, Any]) -> Response:
    superuser = bool(body.get("is_superuser", False))
    try:
        world.auth_db.add_user(
            kind, str(body["user_id"]), str(body["password"]), world.now, superuser
        )
    except Refused:
        return errors.error(409, "ALREADY_EXISTS", "User already exists")
    return errors.ok(_shown(str(body["user_id"]), superuser), 201)


def find_user(world: World, kind: str, login: str) -> Response:
    user = world.auth_db.user(kind, login)
    if user is None:
        return errors.not_found("User not found")
    return errors.ok(_shown(user.login, user.is_superuser))


def update_user(world: World, kind: str, login: str, body: dict[str, Any]) -> Response:
    if "password" not in body and "is_superuser" not in body:
        return errors.bad_request("Missing required parameter: password")
    if world.auth_db.user(kind, login) is None:
        return errors.not_found("User not found")
    superuser = body.get("is_superuser")
    if "password" in body:
        world.auth_db.update_user(kind, login, str(body["password"]), superuser)
    elif superuser is not None:
        world.auth_db.set_superuser(kind, login, bool(superuser))
    user = world.auth_db.user(kind, login)
    assert user is not None
    return errors.ok(_shown(user.login, user.is_superuser))


def delete_user(world: World, kind: str, login: str) -> Response:
    if not world.auth_db.remove_user(kind, login):
        return errors.not_found("User not found")
    return errors.no_content()


def import_users(world: World, kind: str, type: str, rows: list[dict[str, Any]]) -> Response:
    for row in rows:
        login, secret = str(row.get("user_id", "")), row.get("password")
        if not login or (type == "plain" and not isinstance(secret, str)):
            return errors.bad_request(f"{{invalid_user,{_erl(login)}}}")
        if world.auth_db.user(kind, login) is not None:
            continue  # an existing user ID is not imported over
        superuser = str(row.get("is_superuser", "false")).lower() == "true"
        secret_text = str(secret if secret is not None else row.get("password_hash", ""))
        world.auth_db.add_user(kind, login, secret_text, world.now, superuser)
    return errors.no_content()


def _provider_problem(config: dict[str, Any]) -> str | None:
    mechanism, backend = config.get("mechanism"), config.get("backend")
    if mechanism not in PROVIDERS or backend not in PROVIDERS[str(mechanism)]:
        return "Unsupported authentication type"
    return None


async def uploaded_users(body: Any, upload: Any) -> list[dict[str, Any]] | Response:
    """The users of a JSON body, or of the `filename` part of a form (Connexion hands the
    part over as an upload)."""
    # The Connexion proxy forwards to the Starlette request, which its stubs do not say.
    content_type = str(cast(Any, connexion.request).headers.get("content-type", ""))
    if content_type.startswith("application/json"):
        rows = body if isinstance(body, list) else None
        if rows is None or not all(isinstance(r, dict) for r in rows):
            return errors.bad_request("{bad_format,invalid_json}")
        return rows
    if upload is None or isinstance(upload, str) or not hasattr(upload, "read"):
        return errors.bad_request("Missing required parameter: filename")
    raw = (await upload.read()).decode("utf-8", "replace")
    name = str(getattr(upload, "filename", "") or "")
    if name.endswith(".json"):
        try:
            loaded = json.loads(raw)
        except ValueError:
            return errors.bad_request("{bad_format,invalid_json}")
        return loaded if isinstance(loaded, list) else []
    if name.endswith(".csv"):
        return list(csv.DictReader(io.StringIO(raw)))
    return errors.bad_request("{unsupported_file_format," + name + "}")
