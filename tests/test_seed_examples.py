"""Every seed example whose operation our documents declare must validate against them.

The seeds' examples are what real brokers answered (`../shared/tools/check_examples.py`).
Operations not yet written are reported as such, not failed; a declared operation whose
example does not validate is a wrong document.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mqtt_api_kit.registry import APIS

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT.parent / "shared" / "tools"


def declared() -> dict[str, list[tuple[str, re.Pattern[str]]]]:
    """api name → (METHOD, path pattern) of every operation in our documents."""
    names = {api.base_path: api.name for api in APIS.values()}
    ops: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
    for spec in (ROOT / "openapi").glob("*.yaml"):
        doc = yaml.safe_load(spec.read_text())
        base = re.sub(r"^\w+://[^/]+", "", doc["servers"][0]["url"]).rstrip("/")
        if base not in names:  # the mock's own admin API: no broker, no seed examples
            continue
        for path, item in doc["paths"].items():
            pattern = re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path.rstrip("/")) + "/?$")
            ops.setdefault(names[base], []).extend(
                (method.upper(), pattern) for method in item if method != "parameters"
            )
    return ops


@pytest.mark.skipif(not TOOLS.exists(), reason="../shared/tools is not beside the checkout")
def test_seed_examples_of_declared_operations_are_valid(tmp_path: Path) -> None:
    extracted = subprocess.run(
        [sys.executable, str(TOOLS / "seed_examples.py")],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    ops = declared()
    cases = [
        c
        for c in json.loads(extracted.stdout)
        if any(
            m == c["method"] and p.match(c["path"].split("?")[0]) for m, p in ops.get(c["api"], ())
        )
    ]
    assert cases, "no seed example matches a declared operation"
    (tmp_path / "cases.json").write_text(json.dumps(cases))
    result = subprocess.run(
        [sys.executable, str(TOOLS / "check_examples.py"), str(ROOT), str(tmp_path / "cases.json")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout
