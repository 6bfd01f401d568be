"""The process the runner starts for each profile: Schemathesis' CLI behind our transport guard.

`python -m mqtt_api_kit.contract_tests.child <schemathesis arguments>`. Before Schemathesis
loads, every `requests.Session` is switched to `guard.GuardedAdapter` with the limits and the
credentials the runner put in the environment (`MQTT_API_LIMITS`, `MQTT_API_AUTH`); those are
removed from the environment at once. The credentials are therefore never an argument of this
process (readable with `ps` by anyone on the machine), and Schemathesis never sees them: they
are added on the wire, so no report, cassette or curl line it writes can hold them.
"""

from __future__ import annotations

from .guard import install_from_env


def main() -> None:
    install_from_env()
    import schemathesis.cli

    schemathesis.cli.schemathesis()


if __name__ == "__main__":
    main()
