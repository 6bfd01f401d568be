"""Parses kept beside their documents (openapi/parse_cache.py) follow Python's rules for
bytecode: keyed by the text, never trusted when they cannot be read, never written where
bytecode is not, one file per document however often it changes."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from mqtt_api_kit.openapi import document, document_names, text
from mqtt_api_kit.openapi.parse_cache import cached_parse, plain_copy

Calls = list[str]


def _counting(calls: Calls) -> Callable[[str], object]:
    def parse(text: str) -> object:
        calls.append(text)
        return json.loads(text)

    return parse


@pytest.fixture
def source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    monkeypatch.setattr(sys, "pycache_prefix", None)
    path = tmp_path / "doc.yaml"
    path.write_text('{"a": [1, 2]}')
    return path


def test_a_second_process_reads_the_kept_parse(source: Path) -> None:
    calls: Calls = []
    first = cached_parse(source, source.read_text(), _counting(calls))
    second = cached_parse(source, source.read_text(), _counting(calls))
    assert first == second == {"a": [1, 2]}
    assert len(calls) == 1
    assert second is not first  # each caller's own
    assert [p.name for p in (source.parent / "__pycache__").iterdir()] == ["doc.yaml.parse.marshal"]


def test_an_edited_document_is_parsed_again_and_its_file_rewritten(source: Path) -> None:
    calls: Calls = []
    cached_parse(source, '{"v": 1}', _counting(calls))
    assert cached_parse(source, '{"v": 2}', _counting(calls)) == {"v": 2}
    assert cached_parse(source, '{"v": 2}', _counting(calls)) == {"v": 2}
    assert len(calls) == 2
    assert len(list((source.parent / "__pycache__").iterdir())) == 1


def test_a_variant_or_its_dependency_is_a_parse_of_its_own(source: Path) -> None:
    calls: Calls = []
    cached_parse(source, "[1]", _counting(calls))
    cached_parse(source, "[1]", _counting(calls), variant="other", depends="code 1")
    cached_parse(source, "[1]", _counting(calls), variant="other", depends="code 2")
    cached_parse(source, "[1]", _counting(calls), variant="other", depends="code 2")
    assert len(calls) == 3
    assert sorted(p.name for p in (source.parent / "__pycache__").iterdir()) == [
        "doc.yaml.other.marshal",
        "doc.yaml.parse.marshal",
    ]


@pytest.mark.parametrize("damage", [b"", b"garbage", None])
def test_a_damaged_file_is_parsed_again(source: Path, damage: bytes | None) -> None:
    calls: Calls = []
    cached_parse(source, "[1, 2]", _counting(calls))
    kept = source.parent / "__pycache__" / "doc.yaml.parse.marshal"
    # None: the right key, then a truncated marshal stream
    kept.write_bytes(damage if damage is not None else kept.read_bytes()[:-3])
    assert cached_parse(source, "[1, 2]", _counting(calls)) == [1, 2]
    assert len(calls) == 2


def test_nothing_is_written_where_bytecode_is_not_unless_asked(
    source: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    calls: Calls = []
    cached_parse(source, "[3]", _counting(calls))
    assert not (source.parent / "__pycache__").exists()
    cached_parse(source, "[3]", _counting(calls), keep=True)  # `python -m …openapi`
    assert cached_parse(source, "[3]", _counting(calls)) == [3]
    assert len(calls) == 2


def test_the_pycache_prefix_moves_the_folder(
    source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prefix = tmp_path / "prefix"
    monkeypatch.setattr(sys, "pycache_prefix", str(prefix))
    cached_parse(source, "[4]", json.loads)
    assert not (source.parent / "__pycache__").exists()
    assert list(prefix.rglob("doc.yaml.parse.marshal"))


def test_an_unwritable_folder_only_means_parsing(source: Path) -> None:
    (source.parent / "__pycache__").write_text("a file where the folder would be")
    calls: Calls = []
    assert cached_parse(source, "[5]", _counting(calls)) == [5]
    assert cached_parse(source, "[5]", _counting(calls)) == [5]
    assert len(calls) == 2


@pytest.mark.parametrize("name", document_names())
def test_every_document_read_back_is_its_yaml_parse(name: str) -> None:
    import yaml

    assert document(name) == yaml.safe_load(text(name))


def test_plain_copy_keeps_sharing_and_cycles_and_owns_everything() -> None:
    shared: dict[str, object] = {"k": [1]}
    cyclic: list[object] = [shared, shared]
    cyclic.append(cyclic)
    copied = plain_copy(cyclic)
    assert copied[0] is copied[1] and copied[2] is copied
    assert copied[0] is not shared and copied[0] == shared
    assert plain_copy({"when": {1, 2}}) == {"when": {1, 2}}
    odd = {"obj": object()}  # marshal cannot hold it: deepcopy's answer
    assert plain_copy(odd)["obj"] is not odd["obj"]
