"""Settings of one mock process."""

from __future__ import annotations

from dataclasses import dataclass, field

from mqtt_api_kit.registry import EMQX_V4, HIVEMQ, Api

__all__ = [
    "DEFAULT_AUTH",
    "DEFAULT_CLIENTS",
    "DEFAULT_MAX_BODY",
    "DEFAULT_NODES",
    "DEFAULT_SEED",
    "MockConfig",
    "parse_credentials",
    "parse_range",
]

DEFAULT_SEED = 42
DEFAULT_CLIENTS = 200
DEFAULT_NODES = 3
DEFAULT_AUTH = EMQX_V4.default_auth  # EMQX's default API app (and the 2.3 default user)
# Request bodies above this are refused in each API's own words (`--max-body`). Real brokers
# read more (EMQX 4.4's cowboy reads 8 MB), but no management call needs anything near it.
DEFAULT_MAX_BODY = 1 << 20


@dataclass(frozen=True, slots=True)
class MockConfig:
    seed: int = DEFAULT_SEED
    clients: int = DEFAULT_CLIENTS
    nodes: int = DEFAULT_NODES
    auth: tuple[str, str] | None = DEFAULT_AUTH  # None turns authentication off
    # HiveMQ's REST API is open out of the box; credentials only when asked for.
    hivemq_auth: tuple[str, str] | None = None
    max_body: int = DEFAULT_MAX_BODY
    # "frozen": today's fixed world, byte for byte (tests, contract runs); "live": the world's
    # time follows the wall clock, `speed` times faster, and the cluster lives (`live.py`).
    clock: str = "frozen"
    speed: float = 1.0
    scenario: str | None = None  # a shipped scenario's name or a file's path
    # CORS (`cors.py`): on unless switched off; no origins listed means any origin.
    cors: bool = True
    cors_origins: tuple[str, ...] = ()
    # Faults and latency (`latency.py`, `faults.py`), drawn from the seed.
    latency: tuple[int, int] | None = None  # ms, uniform
    latency_by_operation: tuple[tuple[str, tuple[int, int]], ...] = field(default=())
    error_rate: float = 0.0
    drop_rate: float = 0.0
    journal_size: int = 500  # requests kept for `GET /__mock/requests`
    log_requests: bool = False

    def credentials_for(self, api: Api) -> tuple[str, str] | None:
        """The start-up credentials of `api` (None: open)."""
        return self.hivemq_auth if api is HIVEMQ else self.auth


def parse_credentials(text: str) -> tuple[str, str]:
    """`USER:PASS` → (user, pass). The error never repeats the text: it may be a secret."""
    user, sep, password = text.partition(":")
    if not sep or not user:
        raise ValueError("credentials must look like USER:PASS (a user name, a colon, a secret)")
    return user, password


def parse_range(text: str) -> tuple[int, int]:
    """`50-200` (or `120`) milliseconds → (50, 200)."""
    low, sep, high = text.strip().partition("-")
    try:
        lo, hi = int(low), int(high) if sep else int(low)
    except ValueError:
        raise ValueError(
            f"latency must look like MIN-MAX or MS (milliseconds), not {text!r}"
        ) from None
    if not 0 <= lo <= hi <= 60_000:
        raise ValueError(f"latency must be 0 to 60000 ms with MIN <= MAX, not {text!r}")
    return lo, hi
