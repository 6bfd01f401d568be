"""The distribution: one import package of ours, every sub-package listed, data shipped."""

from __future__ import annotations

from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]


def test_every_folder_in_the_mapped_folders_is_listed() -> None:
    """Python packages and data-only folders alike: setuptools sees any folder it could
    import as a package, and warns (then ships nothing of it) when one is not listed."""
    mapping: dict[str, str] = SETUPTOOLS["package-dir"]
    found = set()
    for name, folder in mapping.items():
        for path in (ROOT / folder).rglob("*"):
            if not path.is_file() or "__pycache__" in path.parts or path.name.startswith("."):
                continue
            relative = path.parent.relative_to(ROOT / folder).parts
            found.add(".".join((name, *relative)))
    assert found == set(SETUPTOOLS["packages"])


def test_the_only_top_level_import_name_is_ours() -> None:
    assert {p.split(".")[0] for p in SETUPTOOLS["packages"]} == {"mqtt_api_kit"}


def test_run_time_files_are_package_data() -> None:
    data = SETUPTOOLS["package-data"]
    assert "*.yaml" in data["mqtt_api_kit.openapi"]
    assert "*.toml" in data["mqtt_api_kit.contract_tests"]
    assert "py.typed" in data["mqtt_api_kit"]
