"""Settings of one mock process."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_SEED = 42
DEFAULT_CLIENTS = 200
DEFAULT_NODES = 3
DEFAULT_AUTH = ("admin", "public")  # EMQX's default API app (and the v2 default user)


@dataclass(frozen=True, slots=True)
class MockConfig:
    seed: int = DEFAULT_SEED
    clients: int = DEFAULT_CLIENTS
    nodes: int = DEFAULT_NODES
    auth: tuple[str, str] | None = DEFAULT_AUTH  # None turns authentication off
    # HiveMQ's REST API is open out of the box; credentials only when asked for.
    hivemq_auth: tuple[str, str] | None = None

    def auth_for(self, api: str) -> tuple[str, str] | None:
        """The credentials the API named `api` (a dialect's `name`) requires."""
        return self.hivemq_auth if api == "hivemq" else self.auth


def parse_credentials(text: str) -> tuple[str, str]:
    user, sep, password = text.partition(":")
    if not sep or not user:
        raise ValueError(f"credentials must look like USER:PASS, got {text!r}")
    return user, password
