"""The floor `make bench` measures against: a bare ASGI app that answers each benchmarked
request with the very bytes the mock gave it, on the same uvicorn settings as `mqtt-api mock`
(`uvicorn.Config(app, host, port, log_level="warning")`, uvloop and httptools when installed).

`python -m bench.bare ANSWERS.json PORT`: ANSWERS maps "METHOD path?query" to
[status, content type, body text].
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import uvicorn

Answer = tuple[int, list[tuple[bytes, bytes]], bytes]


def app_of(answers: dict[str, list[Any]]) -> Any:
    table: dict[str, Answer] = {}
    for key, (status, kind, body) in answers.items():
        data = body.encode()
        headers = [(b"content-type", kind.encode()), (b"content-length", str(len(data)).encode())]
        table[key] = (status, headers, data)
    missing: Answer = (404, [(b"content-length", b"0")], b"")

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        query = scope["query_string"].decode()
        key = f"{scope['method']} {scope['path']}" + (f"?{query}" if query else "")
        if scope["method"] == "POST":  # read the body, as any server must
            more = True
            while more:
                message = await receive()
                more = message.get("more_body", False)
        status, headers, body = table.get(key, missing)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app


def main(argv: list[str]) -> None:
    answers = json.loads(Path(argv[0]).read_text())
    config = uvicorn.Config(
        app_of(answers), host="127.0.0.1", port=int(argv[1]), log_level="warning"
    )
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main(sys.argv[1:])
