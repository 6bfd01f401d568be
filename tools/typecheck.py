"""`make typecheck`: mypy over `mqtt_api_kit` as it installs, reported against the sources.

Why a link tree: pyproject maps the repository's top-level folders onto one namespace
(`kit/` → `mqtt_api_kit`, `fixtures/` → `mqtt_api_kit.fixtures`, …). An editable install
serves that mapping through an import hook that mypy cannot follow, and mypy has no setting
that maps a package name to a folder. So this script lays out the installed shape under
`build/typecheck/` as symbolic links (rebuilt on every run, so a new module is never missed),
runs mypy on it with the configuration in pyproject.toml, and rewrites the reported paths back
to the source files, so `fixtures/console.py:107` is what you read and click.

Usage: python tools/typecheck.py [extra mypy arguments]
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parents[1]
TREE = ROOT / "build" / "typecheck"


def package_dirs() -> dict[str, Path]:
    """Package name → source folder, from pyproject's `[tool.setuptools] package-dir`."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    mapping: dict[str, str] = pyproject["tool"]["setuptools"]["package-dir"]
    return {name: ROOT / folder for name, folder in mapping.items()}


def build_tree(mapping: dict[str, Path], tree: Path = TREE) -> dict[Path, Path]:
    """Lay out the installed package under `tree`; return link folder → source folder."""
    shutil.rmtree(tree, ignore_errors=True)
    links: dict[Path, Path] = {}
    for name in sorted(mapping, key=lambda n: n.count(".")):
        target = tree.joinpath(*name.split("."))
        source = mapping[name]
        nested = [n for n in mapping if n.startswith(name + ".")]
        target.parent.mkdir(parents=True, exist_ok=True)
        if not nested:
            # Nothing else is mapped inside: the whole folder is the package.
            target.symlink_to(source, target_is_directory=True)
        else:
            # Mapped sub-packages live elsewhere: link this folder's own entries one by one.
            target.mkdir()
            taken = {n[len(name) + 1 :].split(".")[0] for n in nested}
            for entry in source.iterdir():
                if entry.name not in taken and entry.name != "__pycache__":
                    (target / entry.name).symlink_to(entry)
        links[target] = source
    return links


def to_source(line: str, links: dict[Path, Path]) -> str:
    """Rewrite a link-tree path at the start of a mypy line into the source path."""
    for link, source in sorted(links.items(), key=lambda item: -len(str(item[0]))):
        prefix = str(link.relative_to(ROOT)) + "/"
        if line.startswith(prefix):
            return str(source.relative_to(ROOT)) + "/" + line[len(prefix) :]
    return line


def main(argv: list[str]) -> int:
    from mypy import api

    os.chdir(ROOT)  # mypy reports paths relative to the working directory
    links = build_tree(package_dirs())
    stdout, stderr, status = api.run(argv)
    for line in stdout.splitlines():
        print(to_source(line, links))
    sys.stderr.write(stderr)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
