"""`mqtt-api`: run the mock, or run the contract suite against any broker.

mqtt-api mock [--host 127.0.0.1] [--port 8081] [--seed N] [--clients N] [--nodes N]
              [--auth USER:PASS | --no-auth] [--hivemq-auth USER:PASS]
              [--mqtt-port 1883] [--ws-port 8083] [--no-mqtt]
mqtt-api test URL [--auth USER:PASS] [--allow-destructive] [--junit PATH] ...
"""

from __future__ import annotations

import argparse
import sys
import warnings

from . import __version__
from .mock_server.config import (
    DEFAULT_CLIENTS,
    DEFAULT_MAX_BODY,
    DEFAULT_NODES,
    DEFAULT_SEED,
    MockConfig,
    parse_credentials,
)
from .registry import APIS

__all__ = ["banner", "main"]


def _mock(args: argparse.Namespace) -> int:
    from .fixtures import build_world
    from .mock_server.app import create_app
    from .mock_server.mqtt import MqttSettings, run

    auth = None if args.no_auth else parse_credentials(args.auth)
    hivemq_auth = parse_credentials(args.hivemq_auth) if args.hivemq_auth else None
    config = MockConfig(
        seed=args.seed,
        clients=args.clients,
        nodes=args.nodes,
        auth=auth,
        hivemq_auth=hivemq_auth,
        max_body=args.max_body,
    )
    world = build_world(config.seed, config.clients, config.nodes)
    app = create_app(world, config)
    mqtt = None if args.no_mqtt else MqttSettings(args.host, args.mqtt_port, args.ws_port)
    print(banner(config, args.host, args.port), flush=True)
    if mqtt is not None:
        print(
            f"  MQTT      mqtt://{args.host}:{mqtt.port}  ws://{args.host}:{mqtt.ws_port}/mqtt"
            "  (MQTT 3.1, 3.1.1, 5.0: real clients join the world)",
            flush=True,
        )
    try:
        run(app, world, args.host, args.port, args.log_level, mqtt)
    except OSError as exc:  # a listener port is taken: say which, not a traceback
        print(f"mqtt-api mock: cannot listen: {exc.strerror or exc}", file=sys.stderr)
        print("  (another broker running? use --mqtt-port/--ws-port or --no-mqtt)", file=sys.stderr)
        return 2
    return 0


def banner(config: MockConfig, host: str, port: int) -> str:
    """What the mock serves, one line per API of the registry; secrets are never shown."""
    lines = [f"mqtt-api mock: seed={config.seed} clients={config.clients} nodes={config.nodes}"]
    for api in APIS.values():
        auth = config.credentials_for(api)
        shown = "off" if auth is None else f"{auth[0]}:***"
        lines.append(
            f"  {api.title:9} http://{host}:{port}{api.base_path}  "
            f"(Swagger UI: {api.base_path}/ui/, auth={shown})"
        )
    return "\n".join(lines)


def _test(args: argparse.Namespace, extra: list[str]) -> int:
    from .contract_tests.runner import main as run_suite

    return run_suite([args.url, *extra])


def main(argv: list[str] | None = None) -> int:
    # Connexion imports Starlette's test client at import time, which warns about httpx: noise
    # for anyone starting the mock, nothing they can act on. Set here, in the program, never
    # on import of a package someone else may embed.
    warnings.filterwarnings("ignore", message=".*starlette.testclient.*")
    parser = argparse.ArgumentParser(prog="mqtt-api", description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--version", action="version", version=f"mqtt-api-kit {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    mock = sub.add_parser("mock", help="run the mock broker APIs on one port")
    mock.add_argument("--host", default="127.0.0.1")
    mock.add_argument("--port", type=int, default=8081)
    mock.add_argument("--seed", type=int, default=DEFAULT_SEED)
    mock.add_argument("--clients", type=int, default=DEFAULT_CLIENTS)
    mock.add_argument("--nodes", type=int, default=DEFAULT_NODES)
    creds = mock.add_mutually_exclusive_group()
    creds.add_argument("--auth", default="admin:public", help="Basic credentials (USER:PASS)")
    creds.add_argument("--no-auth", action="store_true", help="accept every request")
    mock.add_argument(
        "--hivemq-auth",
        metavar="USER:PASS",
        help="protect the HiveMQ API (/api/v1) with Basic credentials; open by default",
    )
    mock.add_argument(
        "--max-body",
        type=int,
        default=DEFAULT_MAX_BODY,
        metavar="BYTES",
        help=f"refuse request bodies above this size (default {DEFAULT_MAX_BODY})",
    )
    mock.add_argument(
        "--mqtt-port", type=int, default=1883, help="MQTT over TCP listener (default 1883)"
    )
    mock.add_argument(
        "--ws-port",
        type=int,
        default=8083,
        help="MQTT over WebSocket listener, path /mqtt (default 8083)",
    )
    mock.add_argument(
        "--no-mqtt", action="store_true", help="serve only the HTTP APIs, no MQTT listeners"
    )
    mock.add_argument("--log-level", default="warning")

    test = sub.add_parser(
        "test", help="check a broker (or the mock) against the documents", add_help=False
    )
    test.add_argument("url", nargs="?")

    args, extra = parser.parse_known_args(argv)
    if args.command == "mock":
        if extra:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        try:
            return _mock(args)
        except ValueError as exc:
            parser.error(str(exc))
    return _test(args, extra)


if __name__ == "__main__":
    sys.exit(main())
