"""The dialects one mock process serves, by base path, and the process's runtime (clock,
journal, snapshots, draws): what every pipeline stage consults."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from starlette.types import Scope

from .config import MockConfig
from .dialect import Dialect

if TYPE_CHECKING:
    from .runtime import Runtime

__all__ = ["Site"]


@dataclass(frozen=True, slots=True)
class Site:
    dialects: tuple[Dialect, ...]
    config: MockConfig
    runtime: Runtime

    @classmethod
    def of(cls, dialects: Sequence[Dialect], config: MockConfig, runtime: Runtime) -> Site:
        # Longest base path first, so a more specific API wins over a shorter prefix.
        ordered = sorted(dialects, key=lambda d: len(d.api.base_path), reverse=True)
        return cls(tuple(ordered), config, runtime)

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
