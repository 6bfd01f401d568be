"""The read-only guard: no write leaves the process unless the run allows it.

On in the suite's child process when the runner says so (`MQTT_API_READ_ONLY=1`), and where
`embedding.load` is used without `allow_writes` (`enforce(True)`).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import schemathesis
from schemathesis import HookContext

if TYPE_CHECKING:
    from schemathesis.specs.openapi.schemas import OpenApiCase

READ_ONLY_ENV = "MQTT_API_READ_ONLY"
# What a read-only run must never send. Other methods (TRACE, QUERY…, which the coverage phase
# uses to probe undeclared methods) change nothing on a broker.
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

_enforced: list[bool] = []  # set in-process (the embedding); else the environment decides


class WriteBlocked(RuntimeError):
    """A write was about to reach a broker in a read-only run."""


def enforce(read_only: bool) -> None:
    _enforced[:] = [read_only]


def read_only() -> bool:
    return _enforced[0] if _enforced else os.environ.get(READ_ONLY_ENV) == "1"


@schemathesis.hook
def before_call(context: HookContext, case: OpenApiCase, kwargs: dict[str, Any]) -> None:
    # Defence in depth: the runner already selects no write operation in read-only runs.
    if read_only() and case.method.upper() in WRITE_METHODS:
        raise WriteBlocked(f"read-only run: refusing to send {case.method} {case.path}")
