"""The direction of knowledge between the package's parts (ARCHITECTURE.md, "Rules").

Each rule is proved twice: by reading the sources (every `import`, absolute or relative,
resolved to the module it names) and by importing the part in a fresh interpreter and looking
at what got loaded, so neither a lazy import inside a function nor an indirect one slips by.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_DIR: dict[str, str] = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"][
    "setuptools"
]["package-dir"]

# What "an HTTP library" means for the world: clients, servers, frameworks, and the suite.
HTTP_LIBRARIES = frozenset(
    {
        "aiohttp",
        "anyio",
        "connexion",
        "h11",
        "http",
        "httpcore",
        "httpx",
        "requests",
        "schemathesis",
        "starlette",
        "urllib3",
        "uvicorn",
        "werkzeug",
    }
)


def _module_name(path: Path) -> str:
    """`fixtures/world.py` → `mqtt_api_kit.fixtures.world` (pyproject's package-dir)."""
    relative = path.relative_to(ROOT)
    best = max(
        (
            item
            for item in PACKAGE_DIR.items()
            if relative.parts[: len(Path(item[1]).parts)] == Path(item[1]).parts
        ),
        key=lambda item: len(item[1]),
    )
    parts = [*best[0].split("."), *relative.relative_to(best[1]).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(folder: str) -> dict[str, set[str]]:
    """Source file → every module its import statements name (relative ones resolved)."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / folder).rglob("*.py")):
        module = _module_name(path)
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")
                    base = base[: len(base) - node.level + 1]
                    stem = ".".join([*base, node.module] if node.module else base)
                else:
                    stem = node.module or ""
                names.add(stem)
                names.update(f"{stem}.{alias.name}" for alias in node.names)
        found[str(path.relative_to(ROOT))] = names
    return found


def loaded_after_import(*modules: str) -> set[str]:
    """The modules a fresh interpreter holds after importing `modules`."""
    code = (
        "import importlib, json, sys, warnings\n"
        "warnings.simplefilter('ignore')\n"
        f"for m in {list(modules)!r}: importlib.import_module(m)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return set(json.loads(out.stdout))


def _top(name: str) -> str:
    return name.split(".")[0]


def test_the_scanner_resolves_relative_imports() -> None:
    # The scanner itself must see what it is meant to catch.
    found = imports_of("mock_server")
    assert "mqtt_api_kit.mock_server.emqx_v4.errors" in found["mock_server/emqx_v4/clients.py"]
    assert "mqtt_api_kit.mock_server.paths" in found["mock_server/emqx_v4/clients.py"]


def test_the_suite_never_imports_the_mock() -> None:
    """It must work against real brokers: nothing of the mock may be needed to run it."""
    offenders = {
        path: sorted(n for n in names if n.startswith("mqtt_api_kit.mock_server"))
        for path, names in imports_of("contract_tests").items()
    }
    assert not {path: names for path, names in offenders.items() if names}
    loaded = loaded_after_import(
        "mqtt_api_kit.contract_tests.runner", "mqtt_api_kit.contract_tests.checks"
    )
    assert not {m for m in loaded if m.startswith("mqtt_api_kit.mock_server")}


def test_the_world_never_imports_http_libraries() -> None:
    """The world knows records and writes; wire shapes belong to the dialects."""
    offenders = {
        path: sorted(n for n in names if _top(n) in HTTP_LIBRARIES or n.startswith("urllib.req"))
        for path, names in imports_of("fixtures").items()
    }
    assert not {path: names for path, names in offenders.items() if names}
    loaded = loaded_after_import("mqtt_api_kit.fixtures")
    assert not {m for m in loaded if _top(m) in HTTP_LIBRARIES}


@pytest.mark.parametrize("folder", ["fixtures", "openapi"])
def test_lower_parts_never_import_the_mock_or_the_suite(folder: str) -> None:
    offenders = {
        path: sorted(
            n
            for n in names
            if n.startswith(("mqtt_api_kit.mock_server", "mqtt_api_kit.contract_tests"))
        )
        for path, names in imports_of(folder).items()
    }
    assert not {path: names for path, names in offenders.items() if names}


def test_the_registry_is_plain_data() -> None:
    """Both sides import it, so it may import neither side nor any HTTP or Schemathesis code."""
    names = imports_of("kit")["kit/registry.py"]
    assert not {n for n in names if n.startswith("mqtt_api_kit") or _top(n) in HTTP_LIBRARIES}
