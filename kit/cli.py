"""`mqtt-api`: run the mock, or run the contract suite against any broker.

mqtt-api mock [--host 127.0.0.1] [--port 8081] [--seed N] [--clients N] [--nodes N]
              [--auth USER:PASS | --no-auth] [--hivemq-auth USER:PASS]
              [--mqtt-port 1883] [--ws-port 8083] [--no-mqtt] [--scenario NAME|PATH]
              [--clock live|frozen] [--speed N] [--cors-origin ORIGIN]... [--no-cors]
              [--latency MIN-MAX] [--error-rate R] [--drop-rate R] [--log-requests]
mqtt-api test URL [--auth USER:PASS] [--allow-destructive] [--junit PATH] ...
"""

from __future__ import annotations

import argparse
import errno
import socket
import sys
import time
import warnings
from dataclasses import replace
from typing import TYPE_CHECKING

from . import __version__
from .registry import APIS

if TYPE_CHECKING:
    from .fixtures.scenario import Scenario
    from .mock_server.config import MockConfig

# The mock's modules (Connexion, the world) are imported by the `mock` command only: `mqtt-api
# test` never loads the mock.

LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")

__all__ = ["banner", "main"]


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a TCP port (0-65535; 0 picks a free one)")
    return port


def _listen(host: str, port: int) -> socket.socket:
    """The listening socket, bound before anything is printed: a port in use is an error the
    user sees first (exit 2), never a banner followed by a failure."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit it (Linux). Since the CLI hands uvicorn this bound socket,
    # its connections had Nagle on and a keep-alive client waited for the delayed ACK:
    # measured 48 ms per sequential request, 6-10 ms with uvicorn binding it or with this.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise ValueError(
                f"port {port} on {host} is in use (choose another with --port)"
            ) from None
        raise ValueError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _config(args: argparse.Namespace) -> tuple[MockConfig, Scenario | None]:
    from .fixtures.scenario import load
    from .mock_server.config import (
        DEFAULT_CLIENTS,
        DEFAULT_NODES,
        DEFAULT_SEED,
        MockConfig,
        parse_credentials,
        parse_range,
    )

    scenario = load(args.scenario) if args.scenario else None
    if scenario is not None:  # an explicit --seed/--clients/--nodes wins over the scenario
        scenario = replace(
            scenario,
            seed=args.seed if args.seed is not None else scenario.seed,
            clients=args.clients if args.clients is not None else scenario.clients,
        )
    auth = None if args.no_auth else parse_credentials(args.auth)
    hivemq_auth = parse_credentials(args.hivemq_auth) if args.hivemq_auth else None
    by_operation: dict[str, tuple[int, int]] = {}
    latency = parse_range(args.latency) if args.latency else None
    if args.latency_config:
        default, by_operation = _latency_file(args.latency_config)
        latency = latency or default
    for name, rate in (("--error-rate", args.error_rate), ("--drop-rate", args.drop_rate)):
        if not 0 <= rate <= 1:
            raise ValueError(f"{name} must be between 0 and 1, not {rate}")
    if args.error_rate + args.drop_rate > 1:
        raise ValueError("--error-rate and --drop-rate together must not exceed 1")
    if not 0 < args.speed <= 10_000:
        raise ValueError(f"--speed must be above 0 and at most 10000, not {args.speed}")
    config = MockConfig(
        seed=args.seed if args.seed is not None else DEFAULT_SEED,
        clients=args.clients if args.clients is not None else DEFAULT_CLIENTS,
        nodes=args.nodes if args.nodes is not None else DEFAULT_NODES,
        auth=auth,
        hivemq_auth=hivemq_auth,
        max_body=args.max_body,
        clock=args.clock,
        speed=args.speed,
        scenario=args.scenario,
        cors=not args.no_cors,
        cors_origins=tuple(args.cors_origin or ()),
        latency=latency,
        latency_by_operation=tuple(sorted(by_operation.items())),
        error_rate=args.error_rate,
        drop_rate=args.drop_rate,
        journal_size=args.journal_size,
        log_requests=args.log_requests,
    )
    return config, scenario


def _latency_file(path: str) -> tuple[tuple[int, int] | None, dict[str, tuple[int, int]]]:
    """`{default: 50-200, operations: {listClients: 300-900, hivemq:getAllMqttClients: 20}}`"""
    import yaml

    from .mock_server.config import parse_range

    try:
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"--latency-config {path}: {exc}") from None
    if not isinstance(data, dict) or not set(data) <= {"default", "operations"}:
        raise ValueError(f"--latency-config {path}: expected keys 'default' and 'operations'")
    operations = data.get("operations") or {}
    if not isinstance(operations, dict):
        raise ValueError(f"--latency-config {path}: 'operations' maps operationIds to MIN-MAX")
    default = parse_range(str(data["default"])) if "default" in data else None
    return default, {str(k): parse_range(str(v)) for k, v in operations.items()}


def _mock(args: argparse.Namespace) -> int:
    import logging

    from .startup import booting

    with booting():
        from .mock_server.app import create_app
        from .mock_server.mqtt import MqttSettings, run
        from .mock_server.runtime import build

        config, scenario = _config(args)
        sock = _listen(args.host, args.port)
        host, port = sock.getsockname()[:2]
        started = time.perf_counter()
        world = build(config, scenario)
        app = create_app(world, config, scenario=scenario)
        built = time.perf_counter() - started
    mqtt = None if args.no_mqtt else MqttSettings(args.host, args.mqtt_port, args.ws_port)
    print(banner(config, host, port, world.client_count(), scenario), flush=True)
    if mqtt is not None:
        print(
            f"  MQTT      mqtt://{args.host}:{mqtt.port}  ws://{args.host}:{mqtt.ws_port}/mqtt"
            "  (MQTT 3.1, 3.1.1, 5.0: real clients join the world)",
            flush=True,
        )
    if config.log_requests:
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
        requests = logging.getLogger("mqtt_api_kit.requests")
        requests.addHandler(handler)
        requests.setLevel(logging.INFO)
        requests.propagate = False

    try:
        run(
            app,
            world,
            host,
            port,
            args.log_level,
            mqtt,
            sock=sock,
            ready=lambda: print(ready(host, port, built), flush=True),
        )
    except OSError as exc:  # an MQTT listener port is taken: say which, not a traceback
        print(f"mqtt-api mock: cannot listen: {exc.strerror or exc}", file=sys.stderr)
        print("  (another broker running? use --mqtt-port/--ws-port or --no-mqtt)", file=sys.stderr)
        return 2
    return 0


def ready(host: str, port: int, built: float) -> str:
    shown = f"[{host}]" if ":" in host else host
    apis = " · ".join(f"{api.title} {api.base_path}" for api in APIS.values())
    return (
        f"ready on http://{shown}:{port} ({apis} · admin /__mock/ui/; world built in {built:.1f} s)"
    )


def banner(
    config: MockConfig,
    host: str,
    port: int,
    clients: int | None = None,
    scenario: Scenario | None = None,
) -> str:
    """What the mock serves, one line per API of the registry; secrets are never shown."""
    shown_clients = config.clients if clients is None else clients
    head = f"mqtt-api mock: seed={config.seed} clients={shown_clients} nodes={config.nodes}"
    if scenario is not None:
        head = f"mqtt-api mock: scenario={scenario.name} seed={config.seed} clients={shown_clients}"
    speed = f" x{config.speed:g}" if config.clock == "live" and config.speed != 1 else ""
    lines = [f"{head} clock={config.clock}{speed} cors={'on' if config.cors else 'off'}"]
    for api in APIS.values():
        auth = config.credentials_for(api)
        shown = "off" if auth is None else f"{auth[0]}:***"
        lines.append(
            f"  {api.title:9} http://{host}:{port}{api.base_path}  "
            f"(Swagger UI: {api.base_path}/ui/, auth={shown})"
        )
    lines.append(f"  {'admin':9} http://{host}:{port}/__mock  (Swagger UI: /__mock/ui/, no auth)")
    return "\n".join(lines)


def _test(argv: list[str]) -> int:
    """Everything after `test` belongs to the suite's own parser, verbatim: re-parsing it here
    would take an option's value for the URL (`test --auth u:p URL`), and a missing URL is the
    suite parser's usage error (exit 2), not a crash."""
    from .contract_tests.runner import main as run_suite

    return run_suite(argv)


def main(argv: list[str] | None = None) -> int:
    # Connexion imports Starlette's test client at import time, which warns about httpx: noise
    # for anyone starting the mock, nothing they can act on. Set here, in the program, never
    # on import of a package someone else may embed.
    warnings.filterwarnings("ignore", message=".*starlette.testclient.*")
    given = sys.argv[1:] if argv is None else list(argv)
    if given[:1] == ["test"]:  # the suite never loads the mock (nor Connexion)
        return _test(given[1:])
    from .mock_server.config import DEFAULT_CLIENTS, DEFAULT_MAX_BODY, DEFAULT_NODES, DEFAULT_SEED

    parser = argparse.ArgumentParser(prog="mqtt-api", description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--version", action="version", version=f"mqtt-api-kit {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    mock = sub.add_parser("mock", help="run the mock broker APIs on one port")
    mock.add_argument("--host", default="127.0.0.1")
    mock.add_argument("--port", type=_port, default=8081)
    mock.add_argument("--seed", type=int, default=None, help=f"default {DEFAULT_SEED}")
    mock.add_argument("--clients", type=int, default=None, help=f"default {DEFAULT_CLIENTS}")
    mock.add_argument("--nodes", type=int, default=None, help=f"default {DEFAULT_NODES}")
    mock.add_argument(
        "--scenario", metavar="NAME|PATH", help="a shipped scenario (empty-cluster, …) or a file"
    )
    mock.add_argument(
        "--clock",
        choices=("live", "frozen"),
        default="live",
        help="live: the cluster lives with the wall clock (default); frozen: byte-identical",
    )
    mock.add_argument("--speed", type=float, default=1.0, help="live clock N times faster")
    mock.add_argument(
        "--cors-origin",
        action="append",
        metavar="ORIGIN",
        help="allow this origin only (repeatable; default: any origin)",
    )
    mock.add_argument("--no-cors", action="store_true", help="no CORS headers at all")
    mock.add_argument("--latency", metavar="MIN-MAX", help="added latency in ms, e.g. 50-200")
    mock.add_argument(
        "--latency-config", metavar="PATH", help="YAML: default and per-operationId latency"
    )
    mock.add_argument("--error-rate", type=float, default=0.0, help="share of API-shaped 5xx")
    mock.add_argument(
        "--drop-rate", type=float, default=0.0, help="share of connections closed unanswered"
    )
    mock.add_argument("--journal-size", type=int, default=500, help="requests kept in /__mock")
    mock.add_argument(
        "--log-requests", action="store_true", help="one line per request: method, path, ms"
    )
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
        "--mqtt-port", type=_port, default=1883, help="MQTT over TCP listener (default 1883)"
    )
    mock.add_argument(
        "--ws-port",
        type=_port,
        default=8083,
        help="MQTT over WebSocket listener, path /mqtt (default 8083)",
    )
    mock.add_argument(
        "--no-mqtt", action="store_true", help="serve only the HTTP APIs, no MQTT listeners"
    )
    mock.add_argument("--log-level", default="warning", type=str.lower, choices=LOG_LEVELS)

    test = sub.add_parser(
        "test", help="check a broker (or the mock) against the documents", add_help=False
    )
    test.add_argument("url", nargs="?")

    args, extra = parser.parse_known_args(given)
    if args.command == "mock":
        if extra:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        try:
            return _mock(args)
        except ValueError as exc:  # ScenarioError too: file and line, no traceback
            mock.error(str(exc))
    return _test(extra)


if __name__ == "__main__":
    sys.exit(main())
