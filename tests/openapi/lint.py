"""What the document lint looks at: extension keys with their place, references, tags.

Plain functions over a parsed document, so the tests in `test_documents.py` read as the rules
they enforce.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from mqtt_api_kit.openapi.extensions import Registry
from mqtt_api_kit.openapi.operations import METHODS

# Values that are data, not OpenAPI objects: an `x-` key inside is part of an example.
_DATA = frozenset({"example", "examples", "default", "enum", "const"})
# Objects whose keys are names (of properties, media types, components…): a key there that
# starts with `x-` is a name, not an extension.
_NAME_MAPS = frozenset(
    {
        "properties",
        "patternProperties",
        "content",
        "headers",
        "links",
        "callbacks",
        "encoding",
        "variables",
        "mapping",
        "dependentSchemas",
        "$defs",
    }
)


@dataclass(frozen=True, slots=True)
class Extension:
    pointer: str  # JSON pointer of the object that carries the key
    where: str  # `info`, `operation`, `parameter`, or the pointer for any other place
    key: str
    value: Any


def extensions(doc: Mapping[str, Any]) -> Iterator[Extension]:
    """Every extension key of the document's objects, with where it sits."""
    yield from _walk(doc, (), names=False)


def _walk(node: Any, path: tuple[str, ...], names: bool) -> Iterator[Extension]:
    """`names`: the keys of `node` are names (of properties, media types, components)."""
    if isinstance(node, list):
        for i, item in enumerate(node):
            yield from _walk(item, (*path, str(i)), names=False)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        key = str(key)
        if names:
            yield from _walk(value, (*path, key), names=False)
        elif key.startswith("x-"):
            yield Extension(_pointer(path), _where(path), key, value)
        elif key not in _DATA:
            names_inside = key in _NAME_MAPS or path == ("components",)
            yield from _walk(value, (*path, key), names=names_inside)


def _where(path: tuple[str, ...]) -> str:
    if path == ("info",):
        return "info"
    if len(path) == 3 and path[0] == "paths" and path[2] in METHODS:
        return "operation"
    if path[:2] == ("components", "parameters") and len(path) == 3:
        return "parameter"
    if len(path) >= 2 and path[0] == "paths" and path[-2] == "parameters":
        if len(path) == 4 or (len(path) == 5 and path[2] in METHODS):
            return "parameter"
    return _pointer(path)


def _pointer(path: tuple[str, ...]) -> str:
    return "#/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in path)


def references(node: Any) -> Iterator[str]:
    """Every `$ref` value under `node`."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from references(value)
    elif isinstance(node, list):
        for item in node:
            yield from references(item)


def security_schemes_used(doc: Mapping[str, Any]) -> set[str]:
    """Security schemes are named by Security Requirement objects, not referenced."""
    requirements = list(doc.get("security", ()))
    for item in doc.get("paths", {}).values():
        for method in METHODS:
            requirements += item.get(method, {}).get("security", ())
    return {name for requirement in requirements for name in requirement}


def unused_components(doc: Mapping[str, Any]) -> list[str]:
    """Components nothing outside `components` reaches, directly or through other
    components (a component only an unused one refers to is unused too)."""
    components = doc.get("components", {})
    outside = {k: v for k, v in doc.items() if k != "components"}
    reached: set[tuple[str, str]] = set()
    pending = [r for r in references(outside)]
    while pending:
        match = re.fullmatch(r"#/components/([^/]+)/([^/]+)", pending.pop())
        if match is None or (match[1], match[2]) in reached:
            continue
        reached.add((match[1], match[2]))
        pending += references(components.get(match[1], {}).get(match[2]))
    reached |= {("securitySchemes", name) for name in security_schemes_used(doc)}
    return sorted(
        f"{section}/{name}"
        for section, entries in components.items()
        for name in entries
        if (section, name) not in reached
    )


def tag_problems(doc: Mapping[str, Any]) -> list[str]:
    """Every operation is tagged; every tag it uses is declared once at the top with a
    description; every declared tag is used."""
    declared = [t.get("name") for t in doc.get("tags", ())]
    problems = [f"tag {n!r} declared twice" for n in set(declared) if declared.count(n) > 1]
    problems += [
        f"tag {t.get('name')!r} has no description"
        for t in doc.get("tags", ())
        if not str(t.get("description") or "").strip()
    ]
    used: set[str] = set()
    for path, item in doc.get("paths", {}).items():
        for method in METHODS:
            if method not in item:
                continue
            tags = item[method].get("tags") or []
            if not tags:
                problems.append(f"{method.upper()} {path} has no tag")
            used.update(tags)
    problems += [f"tag {t!r} is used but not declared" for t in sorted(used - set(declared))]
    problems += [f"tag {t!r} is declared but not used" for t in sorted(set(declared) - used)]
    return problems


def extension_problems(name: str, doc: Mapping[str, Any], registry: Registry) -> list[str]:
    """Every `x-` key is a vendor object the registry lists for this document, holding only
    registered keys, each where the registry allows it and of its type."""
    problems: list[str] = []
    for ext in extensions(doc):
        vendor = registry.vendors.get(ext.key)
        at = f"{ext.key} at {ext.pointer}"
        if vendor is None:
            problems.append(f"{at}: not a registered vendor object (EXTENSIONS.md)")
        elif not vendor.covers(name):
            problems.append(f"{at}: {ext.key} is for {vendor.documents} documents")
        elif not isinstance(ext.value, dict) or not ext.value:
            problems.append(f"{at}: must be a non-empty object of registered keys")
        else:
            problems += _member_problems(registry, ext.key, ext.where, ext.value, "", at)
    return problems


def _member_problems(
    registry: Registry, vendor: str, where: str, value: Mapping[str, Any], prefix: str, at: str
) -> list[str]:
    problems: list[str] = []
    for member, item in value.items():
        name = f"{prefix}{member}"
        key = registry.key(vendor, name)
        if key is None:
            problems.append(f"{at}: key {name!r} is not registered (EXTENSIONS.md)")
            continue
        if where not in key.where:
            problems.append(f"{at}: {name!r} may appear in {sorted(key.where)}, not {where}")
        if not key.admits(item):
            problems.append(f"{at}: {name!r} = {item!r} is not {key.type} {sorted(key.values)}")
        elif isinstance(item, dict):
            problems += _member_problems(registry, vendor, where, item, f"{name}.", at)
    return problems
