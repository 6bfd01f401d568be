"""The public surface, pinned: what each public module exports, and that importing any of
them changes nothing process-wide.

A change to a list below is a change to the package's API: make it on purpose, and say so in
the commit. Modules not listed here are internal (their names may change freely).
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import pytest

PUBLIC: dict[str, list[str]] = {
    "mqtt_api_kit": ["__version__"],
    "mqtt_api_kit.cli": ["banner", "main"],
    "mqtt_api_kit.registry": [
        "APIS",
        "EMQX_V2",
        "EMQX_V4",
        "EMQX_V5",
        "HIVEMQ",
        "Api",
        "DiscoverySource",
        "NotServed",
        "api",
        "detect",
    ],
    "mqtt_api_kit.openapi": [
        "derived",
        "document",
        "document_copy",
        "document_names",
        "document_path",
        "text",
    ],
    "mqtt_api_kit.fixtures": [
        "REFERENCE_NOW",
        "AclCacheEntry",
        "Alarm",
        "BannedEntry",
        "Client",
        "Counters",
        "Listener",
        "Module",
        "Node",
        "Plugin",
        "ProxyInfo",
        "Restrictions",
        "RetainedMessage",
        "StoredFile",
        "Subscription",
        "TlsInfo",
        "World",
        "build_world",
    ],
    "mqtt_api_kit.fixtures.ledger": ["Ledger", "Part", "write"],
    "mqtt_api_kit.mock_server": ["MockConfig", "create_app"],
    "mqtt_api_kit.mock_server.app": ["DialectFactory", "create_app", "default_dialects"],
    "mqtt_api_kit.mock_server.config": [
        "DEFAULT_AUTH",
        "DEFAULT_CLIENTS",
        "DEFAULT_MAX_BODY",
        "DEFAULT_NODES",
        "DEFAULT_SEED",
        "MockConfig",
        "parse_credentials",
        "parse_range",
    ],
    "mqtt_api_kit.mock_server.pipeline": ["PIPELINE", "Position", "Stage", "assemble"],
    "mqtt_api_kit.mock_server.dialect": [
        "BodyPolicy",
        "Dialect",
        "Handler",
        "operations_of",
        "snake",
    ],
    "mqtt_api_kit.contract_tests": [],
    "mqtt_api_kit.contract_tests.runner": [
        "Outcome",
        "Settings",
        "build_parser",
        "execute",
        "exit_code",
        "main",
        "schemathesis_argv",
        "write_config",
    ],
    # The thin embedding (`embedding.load`); the pytest plugin's surface is its options.
    "mqtt_api_kit.contract_tests.embedding": ["load"],
    "mqtt_api_kit.contract_tests.profiles": [
        "PROFILES",
        "RESPONSE_CHECKS",
        "ROBUSTNESS_CHECKS",
        "Profile",
    ],
    "mqtt_api_kit.contract_tests.checks": [
        "emqx_v2",
        "emqx_v4",
        "emqx_v5",
        "hivemq",
        "robustness",
        "safety",
    ],
}


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_exported_names_are_pinned(name: str) -> None:
    module = importlib.import_module(name)
    exported = getattr(module, "__all__", None)
    assert exported is not None, f"{name} declares no __all__"
    assert sorted(exported) == sorted(PUBLIC[name])
    assert len(set(exported)) == len(exported)
    missing = [n for n in exported if not hasattr(module, n)]
    assert not missing, f"{name}.__all__ names what it does not define: {missing}"


# The libraries the package builds on, imported first, so that whatever they set up on import
# is not counted against us.
DEPENDENCIES = [
    "connexion",
    "faker",
    "httpx",
    "hypothesis",
    "openapi_core",
    "numpy",  # its import sets its own warning filters (numpy/__init__.py), not ours
    "orjson",
    "requests",
    "schemathesis",
    "starlette.testclient",
    "uvicorn",
    "yaml",
]

SNAPSHOT = """
import importlib, json, logging, sys, warnings
for dep in {deps!r}:
    importlib.import_module(dep)
def state():
    levels = {{
        name: (log.level, log.disabled, len(log.handlers), log.propagate)
        for name, log in logging.root.manager.loggerDict.items()
        if isinstance(log, logging.Logger)
    }}
    root = logging.getLogger()
    return {{
        "warnings": [repr(f) for f in warnings.filters],
        "loggers": levels,
        "root": [root.level, len(root.handlers)],
        "disable": logging.root.manager.disable,
    }}
before = state()
for name in {modules!r}:
    importlib.import_module(name)
after = state()
changed = {{
    "warnings": [f for f in after["warnings"] if f not in before["warnings"]],
    "loggers": sorted(
        n for n, v in after["loggers"].items()
        if n in before["loggers"] and before["loggers"][n] != v
        or n not in before["loggers"] and v != (0, False, 0, True)
    ),
    "root": after["root"] if after["root"] != before["root"] else None,
    "disable": after["disable"] if after["disable"] != before["disable"] else None,
}}
print(json.dumps(changed))
"""


def test_importing_the_package_sets_nothing_process_wide() -> None:
    """No warning filter, logger level, handler or `logging.disable` is set on import: a
    program that embeds the kit keeps its own settings (the CLI sets its own, in `main`)."""
    code = SNAPSHOT.format(deps=DEPENDENCIES, modules=sorted(PUBLIC))
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    changed = json.loads(out.stdout.strip().splitlines()[-1])
    assert changed == {"warnings": [], "loggers": [], "root": None, "disable": None}
