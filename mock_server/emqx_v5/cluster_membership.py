"""`/cluster…`: emqx_mgmt_api_cluster.erl and emqx_mgmt_cluster.erl (5.8.1) over the world's
nodes — who is in the cluster, who is invited, who is made to leave.

The answering node is the first running node (as every /api/v5 answer), and the leader of
the asynchronous invitations (mria_membership:leader/0). A node the world never had is a node
no one can reach: inviting it fails as the rpc does (`nodedown`). A node made to leave
(ekka:force_leave/1) is gone from every API's node list, with its clients; it stays up, so
inviting it again brings it back (mria:join/1 run on it). Invitations finish at once: the
world has no network whose timeouts they could wait on.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.fixtures.cluster import Invitation

from ..http import bare_response
from ..paths import path_value
from . import errors, render

CLUSTER_NAME = "emqxcl"  # emqx_conf_schema.erl cluster.name default (ekka cluster_name)
_MIN_TIMEOUT = 5000


def _atom(name: str) -> str:
    """An atom as `~p` prints it: quoted unless it is a plain lower-case word."""
    plain = name[:1].islower() and all(c.isalnum() or c in "_@" for c in name)
    return name if plain else "'" + name.replace("'", "\\'") + "'"


class ClusterMembershipApi:
    def __init__(self, world: World) -> None:
        self.world = world

    def _self(self) -> str:
        return self.world.cluster.running_names()[0]

    def _name(self, raw: str) -> str:
        """ekka_node:parse_name/1: a name without a host takes this node's host."""
        name = path_value(raw)
        return name if "@" in name else f"{name}@{self._self().split('@', 1)[-1]}"

    def _join(self, name: str) -> str | None:
        """What the invited node's mria:join/1 answers: None when it joined (or was in)."""
        if self.world.node(name) is not None:
            return f"{{already_in_cluster,{_atom(self._self())}}}"
        if self.world.cluster.rejoin(name):
            return None
        return "nodedown"  # {badrpc, nodedown}: no node of that name answers

    async def get_cluster(self) -> Response:
        """cluster_info/2."""
        names = self.world.cluster.running_names()
        return errors.ok({"name": CLUSTER_NAME, "nodes": names, "self": names[0]})

    async def get_cluster_topology(self) -> Response:
        """cluster_topology/2: every running core with its replicants (the world's nodes are
        all cores)."""
        return errors.ok(
            [{"core_node": n, "replicant_nodes": []} for n in self.world.cluster.running_names()]
        )

    async def invite_node(self, node: str, body: dict[str, Any] | None = None) -> Response:
        """invite_node/2: `timeout` (ms, default 15000) of at least 5000."""
        timeout = (body or {}).get("timeout", 15_000)
        if not isinstance(timeout, int) or isinstance(timeout, bool):
            return errors.bad_request("timeout must be an integer")
        if timeout < _MIN_TIMEOUT:
            return errors.bad_request("timeout cannot be less than 5000ms")
        name = self._name(node)
        if name == self._self():
            return errors.bad_request("Cannot invite self")
        refused = self._join(name)
        if refused is not None:
            return errors.bad_request(refused)
        return bare_response(b"", 200)

    async def invite_node_async(self, node: str) -> Response:
        """invite_node_async/2 → emqx_mgmt_cluster:invite_async/1 on the leader."""
        name = self._name(node)
        if name == self._self():
            return errors.bad_request("Can't invite self")
        started = self.world.tick()
        refused = self._join(name)
        if refused is not None and refused.startswith("{already_in_cluster"):
            refused = None  # is_succeed_result/1 counts it as a success
        reason = None if refused is None else f"{{error,{{badrpc,{refused}}}}}"
        finished = self.world.tick()
        self.world.cluster.record_invitation(Invitation(name, started, finished, reason))
        return bare_response(b"", 200)

    async def get_invitation_status(self) -> Response:
        """get_invitation_status/2: the tasks of the leader, times as RFC 3339."""
        out: dict[str, list[dict[str, Any]]] = {"succeed": [], "in_progress": [], "failed": []}
        for task in self.world.cluster.invitations():
            row: dict[str, Any] = {
                "node": task.node,
                "started_at": render.rfc3339_ms(task.started_at),
            }
            if task.finished_at is None:
                out["in_progress"].append(row)
                continue
            row["finished_at"] = render.rfc3339_ms(task.finished_at)
            if task.reason is None:
                out["succeed"].append(row)
            else:
                out["failed"].append({**row, "reason": task.reason})
        return errors.ok(out)

    async def force_leave(self, node: str) -> Response:
        """force_leave/2 → ekka:force_leave/1: the node and its clients leave the cluster."""
        name = self._name(node)
        if name == self._self():
            return errors.bad_request("Can't leave self")
        if self.world.node(name) is None:
            return errors.bad_request("node_not_in_cluster")
        for client in list(self.world.clients(name)):
            self.world.remove_client(client.clientid)
        self.world.cluster.remove_node(name)
        return errors.no_content()
