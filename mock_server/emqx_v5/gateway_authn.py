"""A gateway's and a gateway listener's authenticator and its users:
emqx_gateway_api_authn.erl, emqx_gateway_api_listeners.erl (`…/listeners/{id}/authentication…`),
emqx_gateway_api_authn_user_import.erl, emqx_gateway_http.erl and emqx_gateway_conf.erl (5.8.1).

* The authenticator is the `authentication` field of the gateway's (or the listener's) raw
  configuration. `GET` answers it with `chain_name` and `id` (`wrap_chain_name/2`), or 204
  when there is none; `POST` refuses a second one and `PUT` a missing one with 400 (`badres`
  through `reason2resp/1`); `DELETE` always succeeds.
* Users live in the chain's own user group — the gateway's chain is `<gw>:global`
  (`emqx_gateway_utils:global_chain/1`, `mqtt-sn:global` for MQTT-SN, `unknown:global` for
  ExProto), a listener's is its id — so they are the world's credentials under a kind of that
  chain, apart from the global chain's users. Without an authenticator the user routes
  answer 404 `Resource not found. path: gateway.<gw>.authentication` (`with_authn/2`
  catching `config_not_found`); an authenticator without users (not the built-in database)
  400 as `emqx_authn_api` answers. Deleting the authenticator drops its users
  (`emqx_authn_mnesia:destroy/1`).
* Imports take a `filename` upload (CSV or JSON) as password hashes (`{hash, …}`).
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from mqtt_api_kit.fixtures import World

from ..paths import path_value
from . import authn, errors
from .gateway_common import bad_listener_id, chain_name, http_error, listener_id, not_loaded

Where = tuple[str, str] | None  # (listener type, listener name), None: the gateway itself


class GatewayAuthnApi:
    def __init__(self, world: World) -> None:
        self.world = world

    def _where(self, name: str, id: str | None) -> tuple[Where, str] | Response:
        """with_gateway/2, then the listener id's type and name (its gateway part is not
        compared with `name`: emqx_gateway_http:authn/2 reads only those)."""
        if name not in self.world.gateways.loaded:
            return not_loaded()
        if id is None:
            return None, chain_name(name)
        raw = path_value(id)
        parts = raw.split(":")
        if len(parts) != 3:
            return bad_listener_id(raw)
        return (parts[1], parts[2]), listener_id(name, parts[1], parts[2])

    def _config(self, name: str, where: Where) -> dict[str, Any] | None:
        gw = self.world.gateways.loaded[name]
        holder = gw.config if where is None else (gw.listener(*where) or {})
        found = holder.get("authentication")
        return dict(found) if isinstance(found, dict) else None

    def _label(self, name: str, where: Where) -> str:
        return name if where is None else listener_id(name, *where)

    # -- the authenticator -------------------------------------------------------------------

    async def _get(self, name: str, id: str | None) -> Response:
        found = self._where(name, id)
        if isinstance(found, Response):
            return found
        where, chain = found
        conf = self._config(name, where)
        if conf is None:
            return errors.no_content()
        return errors.ok({**conf, "chain_name": chain, "id": authn.authenticator_id(conf)})

    async def _put(self, name: str, id: str | None, body: dict[str, Any], new: bool) -> Response:
        found = self._where(name, id)
        if isinstance(found, Response):
            return found
        where, _chain = found
        problem = _provider_problem(body)
        if problem is not None:
            return errors.bad_request(problem)
        if where is not None and self.world.gateways.loaded[name].listener(*where) is None:
            return http_error(400, f"Listener {self._label(name, where)} not found")
        existing = self._config(name, where)
        if new and existing is not None:
            return http_error(
                400, f"The authentication already exist on {self._label(name, where)}"
            )
        if not new and existing is None:
            return http_error(400, f"The authentication not found on {self._label(name, where)}")
        if existing is not None and _kind(existing) != _kind(body):
            self._drop_users(name, where, existing)
        self.world.gateways.put_authn(name, where, body)
        return errors.ok(body, 201 if new else 200)

    async def _delete(self, name: str, id: str | None) -> Response:
        found = self._where(name, id)
        if isinstance(found, Response):
            return found
        where, _chain = found
        existing = self._config(name, where)
        if existing is not None:
            self._drop_users(name, where, existing)
            self.world.gateways.remove_authn(name, where)
        return errors.no_content()

    def _drop_users(self, name: str, where: Where, conf: dict[str, Any]) -> None:
        kind = self._kind_of(name, where, conf)
        if kind is not None:
            for user in list(self.world.auth_db.users(kind)):
                self.world.auth_db.remove_user(kind, user.login)

    async def get_gateway_authn(self, name: str) -> Response:
        return await self._get(name, None)

    async def update_gateway_authn(self, name: str, body: dict[str, Any]) -> Response:
        return await self._put(name, None, body, new=False)

    async def create_gateway_authn(self, name: str, body: dict[str, Any]) -> Response:
        return await self._put(name, None, body, new=True)

    async def delete_gateway_authn(self, name: str) -> Response:
        return await self._delete(name, None)

    async def get_listener_authn(self, name: str, id: str) -> Response:
        return await self._get(name, id)

    async def update_listener_authn(self, name: str, id: str, body: dict[str, Any]) -> Response:
        return await self._put(name, id, body, new=False)

    async def create_listener_authn(self, name: str, id: str, body: dict[str, Any]) -> Response:
        return await self._put(name, id, body, new=True)

    async def delete_listener_authn(self, name: str, id: str) -> Response:
        return await self._delete(name, id)

    # -- users -------------------------------------------------------------------------------

    def _kind_of(self, name: str, where: Where, conf: dict[str, Any]) -> str | None:
        kind = _kind(conf)
        chain = chain_name(name) if where is None else listener_id(name, *where)
        return None if kind is None else f"gateway:{chain}:{kind}"

    def _users(self, name: str, id: str | None) -> str | Response:
        """with_authn/2 (or with_listener_authn/3): the users' kind, or the refusal."""
        found = self._where(name, id)
        if isinstance(found, Response):
            return found
        where, _chain = found
        conf = self._config(name, where)
        if conf is None:
            path = "" if where is None else f".listeners.{where[0]}.{where[1]}"
            return http_error(404, f"Resource not found. path: gateway.{name}{path}.authentication")
        kind = self._kind_of(name, where, conf)
        if kind is None:
            return errors.bad_request("Operation not supported in this authentication type")
        return kind

    async def list_gateway_authn_users(self, name: str, **query: Any) -> Response:
        kind = self._users(name, None)
        return kind if isinstance(kind, Response) else authn.list_users(self.world, kind, query)

    async def create_gateway_authn_user(self, name: str, body: dict[str, Any]) -> Response:
        kind = self._users(name, None)
        return kind if isinstance(kind, Response) else authn.add_user(self.world, kind, body)

    async def get_gateway_authn_user(self, name: str, uid: str) -> Response:
        kind = self._users(name, None)
        if isinstance(kind, Response):
            return kind
        return authn.find_user(self.world, kind, path_value(uid))

    async def update_gateway_authn_user(
        self, name: str, uid: str, body: dict[str, Any]
    ) -> Response:
        kind = self._users(name, None)
        if isinstance(kind, Response):
            return kind
        return authn.update_user(self.world, kind, path_value(uid), body)

    async def delete_gateway_authn_user(self, name: str, uid: str) -> Response:
        kind = self._users(name, None)
        if isinstance(kind, Response):
            return kind
        return authn.delete_user(self.world, kind, path_value(uid))

    async def list_listener_authn_users(self, name: str, id: str, **query: Any) -> Response:
        kind = self._users(name, id)
        if isinstance(kind, Response):
            return kind
        # page_params/1: only `page` and `limit` reach list_users/3
        paged = {k: v for k, v in query.items() if k in ("page", "limit")}
        return authn.list_users(self.world, kind, paged)

    async def create_listener_authn_user(
        self, name: str, id: str, body: dict[str, Any]
    ) -> Response:
        kind = self._users(name, id)
        return kind if isinstance(kind, Response) else authn.add_user(self.world, kind, body)

    async def get_listener_authn_user(self, name: str, id: str, uid: str) -> Response:
        kind = self._users(name, id)
        if isinstance(kind, Response):
            return kind
        return authn.find_user(self.world, kind, path_value(uid))

    async def update_listener_authn_user(
        self, name: str, id: str, uid: str, body: dict[str, Any]
    ) -> Response:
        kind = self._users(name, id)
        if isinstance(kind, Response):
            return kind
        return authn.update_user(self.world, kind, path_value(uid), body)

    async def delete_listener_authn_user(self, name: str, id: str, uid: str) -> Response:
        kind = self._users(name, id)
        if isinstance(kind, Response):
            return kind
        return authn.delete_user(self.world, kind, path_value(uid))

    async def _import(self, name: str, id: str | None, filename: Any) -> Response:
        kind = self._users(name, id)
        if isinstance(kind, Response):
            return kind
        if filename is None or isinstance(filename, str):
            return errors.bad_request("Missing required parameter: filename")
        rows = await authn.uploaded_users(None, filename)
        if isinstance(rows, Response):
            return rows
        return authn.import_users(self.world, kind, "hash", rows)

    async def import_gateway_authn_users(self, name: str, filename: Any = None) -> Response:
        return await self._import(name, None, filename)

    async def import_listener_authn_users(
        self, name: str, id: str, filename: Any = None
    ) -> Response:
        return await self._import(name, id, filename)


def _kind(conf: dict[str, Any]) -> str | None:
    """The users' kind of an authenticator: the built-in database's (a change of its
    `user_id_type` keeps the user group; another provider replaces it)."""
    auth_id = authn.authenticator_id(conf) if "mechanism" in conf else ""
    if auth_id == "password_based:built_in_database":
        return "password"
    if auth_id == "scram:built_in_database":
        return "scram"
    return None


def _provider_problem(conf: dict[str, Any]) -> str | None:
    """The schema check of the authenticator union (emqx_authn_schema): a known provider."""
    mechanism, backend = conf.get("mechanism"), conf.get("backend")
    if mechanism not in authn.PROVIDERS or backend not in authn.PROVIDERS[str(mechanism)]:
        return f"Bad authentication config: unknown provider {mechanism}:{backend}"
    return None
