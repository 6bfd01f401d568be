"""The dialects one mock process serves, by base path: what every pipeline stage consults."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from starlette.types import Scope

from .config import MockConfig
from .dialect import Dialect

__all__ = ["Site"]


@dataclass(frozen=True, slots=True)
class Site:
    dialects: tuple[Dialect, ...]
    config: MockConfig

    @classmethod
    def of(cls, dialects: Sequence[Dialect], config: MockConfig) -> Site:
        # Longest base path first, so a more specific API wins over a shorter prefix.
        ordered = sorted(dialects, key=lambda d: len(d.api.base_path), reverse=True)
        return cls(tuple(ordered), config)

    def dialect_for(self, path: str) -> Dialect | None:
        """The dialect whose base path holds `path` (the base path itself included)."""
        for dialect in self.dialects:
            base = dialect.api.base_path
            if path == base or path.startswith(base + "/"):
                return dialect
        return None

    def dialect_of(self, scope: Scope) -> Dialect | None:
        path: str = scope["path"]
        return self.dialect_for(path)
