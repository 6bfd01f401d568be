"""Benniu/emqx-mcp-server (GitHub, Apache-2.0; an MCP server for EMQX 5) against the mock.

Driven as an MCP client drives it: the server over stdio (`mcp` < 2, which it is written
for), its tools called by name. It lists clients with filters, looks one up, publishes and
kicks (`emqx_mcp_server/emqx_client.py`); a client it kicks through /api/v5 must be gone
from /api/v4 and HiveMQ's /api/v1 too (one world). Its `subscribe_mqtt_topic` tool reads
`/sse/subscribe`, an EMQX Cloud route 5.8.1 does not have: not called.

Usage (in a venv holding the server and mcp<2): python mcp_server.py MOCK_URL SERVER_BIN
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from typing import Any

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mock_api import check, get


def _answer(result: Any) -> Any:
    return json.loads(result.content[0].text) if result.content else None


async def main(base: str, server: str) -> None:
    env = dict(
        os.environ,
        EMQX_API_URL=base + "/api/v5",
        EMQX_API_KEY="admin",
        EMQX_API_SECRET="public",
    )
    params = StdioServerParameters(command=server, args=[], env=env)
    async with stdio_client(params) as (read, write), ClientSession(read, write) as session:
        await session.initialize()
        names = {t.name for t in (await session.list_tools()).tools}
        check({"list_mqtt_clients", "kick_mqtt_client"} <= names, "the server offers its tools")

        async def call(tool: str, **request: Any) -> Any:
            return _answer(await session.call_tool(tool, {"request": request}))

        listed = await call("list_mqtt_clients", limit=3, conn_state="connected")
        _, direct = get(base, "/api/v5/clients?limit=3&conn_state=connected")
        check(listed == direct, "list_mqtt_clients answers what /api/v5/clients answers")
        clientid = listed["data"][0]["clientid"]
        looked_up = await call("get_mqtt_client", clientid=clientid)
        check(looked_up.get("clientid") == clientid, f"get_mqtt_client finds {clientid}")
        published = await call("publish_mqtt_message", topic="mcp/check", payload="hi", qos=1)
        check("id" in published or "reason_code" in published, f"publish answers {published}")
        kicked = await call("kick_mqtt_client", clientid=clientid)
        check(kicked.get("success") is True, f"kick_mqtt_client kicks {clientid}")
        gone = await call("get_mqtt_client", clientid=clientid)
        check("404" in str(gone.get("error")), "after the kick the client is not found (404)")
        missing = await call("kick_mqtt_client", clientid="no-such-client")
        check("CLIENTID_NOT_FOUND" in str(missing.get("error")), "an unknown client: 404 code")
    status, v4 = get(base, f"/api/v4/clients/{clientid}")
    check(status == 200 and v4["data"] == [], "the kicked client is gone from /api/v4")
    status, _ = get(base, f"/api/v1/mqtt/clients/{clientid}")
    check(status == 404, "and from HiveMQ's /api/v1")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
