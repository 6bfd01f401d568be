"""One GET before the run, so that an unreachable TARGET or refused credentials give a clear
sentence instead of hundreds of identical failures."""

from __future__ import annotations

import requests

from .guard import ResponseTooLarge, TotalTimeout


class PreflightError(Exception):
    """The target cannot be tested as asked; the message says why and what to do."""


def check_target(
    url: str, probe: str, http: requests.Session, user: str | None, timeout: float = 10
) -> None:
    """`http` carries the run's credentials (for `user`) and its limits."""
    target = url.rstrip("/") + probe
    try:
        response = http.get(target, timeout=timeout)
    except (TotalTimeout, ResponseTooLarge) as exc:
        raise PreflightError(f"{url} is not usable: {exc}") from None
    except requests.RequestException as exc:
        raise PreflightError(
            f"cannot reach {url}: {type(exc).__name__}: {exc}. Is the broker running, and is "
            "the URL its API base (e.g. http://host:8081/api/v4)?"
        ) from None
    if response.status_code == 401:
        given = "no credentials" if user is None else f"the credentials for user {user!r}"
        raise PreflightError(
            f"{url} answered 401 Unauthorized to {given}. Pass --auth USER:PASS (or set "
            "MQTT_API_AUTH=USER:PASS); for EMQX 4.x use an API app id and secret, not a "
            "dashboard user."
        )
