"""The contract suite inside a team's own pytest run (registered as the `mqtt_api_kit` plugin).

    MQTT_API_AUTH=app:secret pytest --mqtt-api-target http://broker:8081/api/v4
    pytest -m mqtt_api --mqtt-api-target URL --mqtt-api-args "--profile robustness"

Without `--mqtt-api-target` the plugin adds nothing. With it, pytest gets one test per profile
and operation (`mqtt-api::conformance::GET /clients`, marker `mqtt_api`), judged by exactly
the engine `mqtt-api test` uses (`runner.execute`: the same checks, profiles, probes, limits,
not-served rule and read-only default): the contract runs once, at the first such test, and
each test reports its operation's verdict — PASS passes, FAIL fails with what broke and how to
reproduce it, NOT SERVED is skipped (`not served: …`; a failure under `--require-all`), ERROR
fails. `--mqtt-api-args` takes any other `mqtt-api test` option; credentials come from
`MQTT_API_AUTH` (never from pytest's command line). The fixture `mqtt_api_contract` gives a
test the whole outcome (`runner.Outcome`).

Importing this module costs nothing: the suite loads only when a target is given.
"""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .runner import Outcome

MARKER = "mqtt_api"
_OUTCOME = pytest.StashKey["Outcome"]()
_REPORT = pytest.StashKey["list[str]"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("mqtt-api", "MQTT broker management API contract (mqtt-api-kit)")
    group.addoption(
        "--mqtt-api-target",
        metavar="URL",
        help="run the mqtt-api contract suite against this API base URL",
    )
    group.addoption(
        "--mqtt-api-args",
        default="",
        metavar="ARGS",
        help="further `mqtt-api test` options, e.g. \"--profile robustness --include '^GET '\"",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{MARKER}: a test of the mqtt-api contract suite")


def _argv(config: pytest.Config) -> list[str]:
    return [
        str(config.getoption("mqtt_api_target")),
        *shlex.split(config.getoption("mqtt_api_args")),
    ]


class ContractFailure(Exception):
    """An operation broke the contract (or could not be judged): the text says how."""


class ContractItem(pytest.Item):
    def __init__(self, *, profile: str, label: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.profile, self.label = profile, label
        self.add_marker(MARKER)

    def runtest(self) -> None:
        from .results import FAIL, NOT_RUN, NOT_SERVED, PASS

        outcome = _outcome(self.config)
        if outcome.error:
            raise ContractFailure(outcome.error)
        run = next((r for r in outcome.runs if r.profile == self.profile), None)
        verdict = run.verdicts.get(self.label) if run is not None else None
        if verdict is None:
            raise ContractFailure(f"{self.label} was not run ({self.profile})")
        if verdict.kind == PASS:
            return
        if verdict.kind == NOT_SERVED or (verdict.kind == NOT_RUN and run and not run.incomplete):
            pytest.skip(verdict.reason)
        lines = [f"{verdict.kind}: {verdict.reason}"]
        for failure in verdict.failures:
            lines.append(f"  - {failure.summary()}")
            if failure.uri:
                from .report import curl

                settings = outcome.settings
                authenticated = settings is not None and settings.auth is not None
                lines.append(f"    {curl(failure, authenticated)}")
        if verdict.kind == FAIL or run is None or not run.incomplete:
            raise ContractFailure("\n".join(lines))
        raise ContractFailure("\n".join([*lines, f"run incomplete: {run.incomplete}"]))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, ContractFailure):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[str, int | None, str]:
        return "mqtt-api", None, f"{self.profile}: {self.label}"


class ContractCollector(pytest.Collector):
    def collect(self) -> list[pytest.Item]:
        from .runner import _settings, build_parser

        try:
            args = build_parser().parse_args(_argv(self.config))
        except SystemExit:
            raise pytest.UsageError(
                f"--mqtt-api-args: not valid for mqtt-api test: {_argv(self.config)}"
            ) from None
        settings = _settings(args)
        if isinstance(settings, str):
            raise pytest.UsageError(f"--mqtt-api-target: {settings}")
        profiles = list(dict.fromkeys(args.profile or ["conformance"]))
        return [
            ContractItem.from_parent(
                self, name=f"{profile}::{op.label}", profile=profile, label=op.label
            )
            for profile in profiles
            for op in settings.chosen
        ]


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    if not config.getoption("mqtt_api_target"):
        return
    collector = ContractCollector.from_parent(session, name="mqtt-api")
    items.extend(collector.collect())


def _outcome(config: pytest.Config) -> Outcome:
    if _OUTCOME not in config.stash:
        from .runner import execute

        lines: list[str] = []
        config.stash[_REPORT] = lines
        config.stash[_OUTCOME] = execute(_argv(config), lines.append)
    return config.stash[_OUTCOME]


@pytest.fixture(scope="session")
def mqtt_api_contract(pytestconfig: pytest.Config) -> Outcome:
    """The whole outcome of the contract run against `--mqtt-api-target` (run once)."""
    if not pytestconfig.getoption("mqtt_api_target"):
        pytest.skip("no --mqtt-api-target given")
    return _outcome(pytestconfig)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    lines = config.stash.get(_REPORT, None)
    if lines:
        terminalreporter.section("mqtt-api contract")
        for line in lines:
            terminalreporter.write_line(line)
