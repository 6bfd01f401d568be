from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from mqtt_api_kit.contract_tests import runner
from mqtt_api_kit.contract_tests.guard import AUTH_ENV
from mqtt_api_kit.contract_tests.profiles import PROFILES
from mqtt_api_kit.contract_tests.runner import (
    Settings,
    build_parser,
    child_env,
    main,
    schemathesis_argv,
    write_config,
)
from mqtt_api_kit.contract_tests.selection import select
from mqtt_api_kit.fixtures import build_world
from mqtt_api_kit.mock_server import MockConfig, create_app
from mqtt_api_kit.openapi import document
from mqtt_api_kit.registry import EMQX_V2, EMQX_V4, HIVEMQ, detect

from ..support import free_port, serve


def settings(*cli: str) -> Settings:
    made = runner._settings(build_parser().parse_args(list(cli)))
    assert isinstance(made, Settings), made
    return made


def argv_for(*cli: str, profile: str = "conformance") -> list[str]:
    return schemathesis_argv(settings(*cli), PROFILES[profile], Path("/tmp/events.ndjson"))


def value_after(argv: list[str], flag: str) -> str:
    return argv[argv.index(flag) + 1]


def labels(*cli: str) -> list[str]:
    return [op.label for op in settings(*cli).chosen]


def test_api_is_detected_from_the_base_path() -> None:
    assert detect("http://h:8081/api/v4").name == "emqx-v4"
    assert detect("https://h.example/api/v4/").name == "emqx-v4"
    assert detect("https://abc.emqx.cloud:8443/api").name == "emqx-v4"  # EMQX Cloud
    assert detect("http://h:8081/other") is None


def test_read_only_runs_select_no_write_at_all(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.delenv("ALLOW_DESTRUCTIVE", raising=False)
    chosen = labels("http://h:8081/api/v4")
    assert chosen and all(label.startswith("GET ") for label in chosen)
    config = write_config(build_parser().parse_args(["http://h/api/v4"]), tmp_path).read_text()
    assert 'unexpected-methods = ["get", "options", "trace", "query"]' in config


def test_writes_only_when_allowed(monkeypatch) -> None:
    monkeypatch.delenv("ALLOW_DESTRUCTIVE", raising=False)
    assert any(not x.startswith("GET ") for x in labels("http://h/api/v4", "--allow-destructive"))
    monkeypatch.setenv("ALLOW_DESTRUCTIVE", "1")
    assert any(not x.startswith("GET ") for x in labels("http://h/api/v4"))


def test_include_narrows_read_only_runs_and_adds_up() -> None:
    assert labels("http://h/api/v4", "--include", "^GET /clients$") == ["GET /clients"]
    both = labels("http://h/api/v4", "--include", "^GET /clients$", "--include", "^GET /nodes$")
    assert sorted(both) == ["GET /clients", "GET /nodes"]
    narrowed = labels("http://h/api/v4", "--include", "^GET /clients", "--exclude", "acl_cache")
    assert "GET /clients/{clientid}/acl_cache" not in narrowed and "GET /clients" in narrowed
    by_id = labels("http://h/api/v4", "--include-operation-id", "listClients")
    assert by_id == ["GET /clients"]


def test_a_selection_of_nothing_is_a_usage_error(capsys) -> None:
    assert main(["http://h:8081/api/v4", "--include", "^DELETE /clients"]) == 2
    assert "select no operation" in capsys.readouterr().err
    assert main(["http://h:8081/api/v4", "--include", "("]) == 2


def test_the_selection_reaches_schemathesis_as_one_exact_regex() -> None:
    argv = argv_for("http://h/api/v4", "--include", "^GET /clients/{clientid}$")
    regex = value_after(argv, "--include-name-regex")
    assert regex == r"^(?:GET\ /clients/\{clientid\})$"
    assert argv.count("--include-name-regex") == 1 and "--include-method" not in argv


def test_profiles_choose_mode_phases_and_checks() -> None:
    conformance = argv_for("http://h:8081/api/v4")
    assert value_after(conformance, "--mode") == "positive"
    assert "emqx_business_code" in value_after(conformance, "--checks")
    robustness = argv_for("http://h:8081/api/v4", profile="robustness")
    assert value_after(robustness, "--mode") == "negative"
    assert "rejects_invalid_input" in value_after(robustness, "--checks")
    stateful = argv_for("http://h:8081/api/v4", profile="stateful")
    assert value_after(stateful, "--phases") == "stateful"


def test_credentials_travel_in_the_environment_never_in_argv(monkeypatch) -> None:
    monkeypatch.delenv(AUTH_ENV, raising=False)
    monkeypatch.delenv("AUTH", raising=False)
    default = settings("http://h:8081/api/v4")
    assert default.auth == ("admin", "public")
    argv = schemathesis_argv(default, PROFILES["conformance"], Path("/tmp/e"))
    assert "--auth" not in argv and not any("public" in a for a in argv)
    assert child_env(default)[AUTH_ENV] == "admin:public"
    given = settings("http://h:8081/api/v4", "--auth", "ops:pw")
    assert child_env(given)[AUTH_ENV] == "ops:pw"
    assert AUTH_ENV not in child_env(settings("http://h:8081/api/v4", "--no-auth"))
    monkeypatch.setenv(AUTH_ENV, "env:secret")
    assert settings("http://h/api/v4").auth == ("env", "secret")


def test_credentials_in_the_url_are_taken_out_of_it() -> None:
    made = settings("http://ops:s3cr%40t@h:8081/api/v4")
    assert made.url == "http://h:8081/api/v4" and made.auth == ("ops", "s3cr@t")


def test_reports_are_passed_through_per_profile(tmp_path: Path) -> None:
    har = tmp_path / "run.har"
    argv = argv_for("http://h/api/v4", "--har", str(har), "--vcr", "rel.yaml")
    assert value_after(argv, "--report") == "ndjson,har,vcr"
    assert value_after(argv, "--report-har-path") == str(har)
    assert Path(value_after(argv, "--report-vcr-path")).is_absolute()  # the child runs elsewhere
    several = schemathesis_argv(
        settings("http://h/api/v4", "--har", str(har)),
        PROFILES["robustness"],
        Path("/tmp/e"),
        several=True,
    )
    assert value_after(several, "--report-har-path") == str(tmp_path / "run.robustness.har")


def test_no_url_is_a_usage_error_not_a_traceback() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mqtt_api_kit", "test"], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "required: url" in result.stderr and "Traceback" not in result.stderr


def test_an_option_value_is_never_taken_for_the_url(capsys) -> None:
    from mqtt_api_kit.cli import main as cli

    assert cli(["test", "--auth", "u:p", "http://h:8081/nothing"]) == 2
    assert "cannot tell the API from 'http://h:8081/nothing'" in capsys.readouterr().err


@pytest.mark.slow
def test_a_read_only_focused_run_selects_only_the_matching_reads() -> None:
    """`--include` narrows a read-only run to the reads it matches, never to writes."""
    spec = document("emqx-v4.yaml")["paths"]
    reads = [p for p, item in spec.items() if "get" in item and re.search("/clients", f"GET {p}")]
    with serve(create_app(build_world(seed=1, clients=10), MockConfig())) as base:
        out = subprocess.run(
            [
                *(sys.executable, "-m", "mqtt_api_kit.contract_tests", base + "/api/v4"),
                *("--include", "/clients", "--max-examples", "1", "--no-discovery"),
            ],
            capture_output=True,
            text=True,
            timeout=600,
        )
    assert out.returncode == 0, out.stdout[-3000:]
    assert f"read-only (GET only), {len(reads)} operations" in out.stdout
    rows = re.findall(r"^  PASS +(GET \S+)", out.stdout, re.M)
    assert sorted(rows) == sorted(f"GET {p}" for p in reads), out.stdout[-3000:]
    assert "Hook Error" not in out.stdout


def test_unknown_api_is_a_clear_error(capsys) -> None:
    assert main(["http://h:8081/nothing"]) == 2
    assert "cannot tell the API" in capsys.readouterr().err


def test_unreachable_target_is_a_clear_error(capsys) -> None:
    assert main([f"http://127.0.0.1:{free_port()}/api/v4"]) == 2
    err = capsys.readouterr().err
    assert "cannot reach" in err and "Traceback" not in err


def test_refused_credentials_are_a_clear_error(capsys) -> None:
    app = create_app(build_world(seed=1, clients=5), MockConfig())
    with serve(app) as base:
        assert main([base + "/api/v4", "--auth", "admin:wrong"]) == 2
    err = capsys.readouterr().err
    assert "401" in err and "wrong" not in err  # the secret is never echoed


@pytest.mark.slow
@pytest.mark.parametrize("flag", ["--junit", "--har", "--vcr"])
def test_credentials_never_reach_reports(flag: str, tmp_path: Path) -> None:
    app = create_app(build_world(seed=1, clients=20), MockConfig(auth=("ops", "t0p-s3cret")))
    report = tmp_path / "report"
    with serve(app) as base:
        code = main(
            [
                *(base + "/api/v4", "--auth", "ops:t0p-s3cret", "--max-examples", "3"),
                *("--include", "GET /clients$", "--no-probes", flag, str(report)),
            ]
        )
    assert code == 0
    text = report.read_text()
    assert text and "t0p-s3cret" not in text
    assert "b3BzOnQwcC1zM2NyZXQ=" not in text  # nor as the Basic header's base64


@pytest.mark.slow
def test_one_junit_file_one_testsuite_per_profile(tmp_path: Path) -> None:
    junit = tmp_path / "junit.xml"
    with serve(create_app(build_world(seed=1, clients=20), MockConfig())) as base:
        code = main(
            [
                *(base + "/api/v4", "--max-examples", "3", "--include", "^GET /(clients|sasl)$"),
                *("--profile", "conformance", "--profile", "robustness", "--junit", str(junit)),
            ]
        )
    assert code == 0
    suites = ET.parse(junit).getroot().findall("testsuite")
    assert [s.get("name") for s in suites] == ["conformance", "robustness"]
    for suite in suites:
        cases = {c.get("name"): c for c in suite.iter("testcase")}
        assert set(cases) == {"GET /clients", "GET /sasl"}
        assert {c.get("classname") for c in cases.values()} == {"emqx-v4"}
        # emqx_sasl is stopped on a fresh node: its route is not served, not passed
        skipped = cases["GET /sasl"].find("skipped")
        assert skipped is not None and skipped.get("message", "").startswith("not served:")
        assert cases["GET /clients"].find("skipped") is None


def test_discovery_reads_real_identifiers_and_binds_them(tmp_path: Path) -> None:
    import tomllib

    from mqtt_api_kit.contract_tests.discovery import as_toml, discover
    from mqtt_api_kit.contract_tests.guard import guarded_session

    world = build_world(seed=2, clients=40)
    admin = guarded_session(auth=("admin", "public"))
    with serve(create_app(world, MockConfig())) as base:
        found = discover(EMQX_V4, base + "/api/v4", admin)
        v2 = discover(EMQX_V2, base + "/api/v2", admin)
        hive = discover(HIVEMQ, base + "/api/v1", guarded_session())
    assert found.found["nodes"][1] == sorted(n.name for n in world.nodes)
    assert set(found.found["clients"][1]) <= {c.clientid for c in world.clients()}
    assert not found.missing and "40" not in found.summary()
    assert v2.found["nodes"][1] and v2.found["clients"][1] and hive.found["clients"][1]
    config = tomllib.loads(as_toml(found))
    assert config["dictionaries"]["nodes"]["values"] == found.found["nodes"][1]
    assert config["parameters"]["path.node"] == {"dictionary": "nodes", "probability": 0.9}
    args = build_parser().parse_args(["http://h/api/v4"])
    tomllib.loads(write_config(args, tmp_path, as_toml(found)).read_text())  # valid TOML


def test_discovery_says_what_it_could_not_find() -> None:
    from mqtt_api_kit.contract_tests.discovery import discover
    from mqtt_api_kit.contract_tests.guard import guarded_session

    with serve(create_app(build_world(seed=2, clients=5), MockConfig())) as base:
        refused = discover(EMQX_V4, base + "/api/v4", guarded_session(auth=("admin", "wrong")))
    assert refused.found == {}
    summary = refused.summary()
    assert "no node names (GET /nodes answered HTTP 401)" in summary
    assert "made-up values" in summary
    assert refused.guessed(("node", "clientid")) == ("node", "clientid")


def test_the_child_environment_holds_no_inherited_secret(monkeypatch) -> None:
    monkeypatch.setenv("AUTH", "someone:else")
    env = child_env(settings("http://h/api/v4", "--auth", "ops:pw"))
    assert env[AUTH_ENV] == "ops:pw" and "AUTH" not in env
    assert os.environ["AUTH"] == "someone:else"


def test_selection_of_every_api_reads_the_documents() -> None:
    assert {op.method for op in select(HIVEMQ, allow_writes=True)} >= {"GET", "DELETE"}
    assert select(EMQX_V2, ["^GET /management/nodes$"])[0].operation_id


def test_the_security_probe_never_samples_an_operation_the_document_opens() -> None:
    """`GET /emqx_prometheus` is open on a real EMQX 4 with the plugin running
    (emqx_mgmt_http:authorize_appid/3): refusing it is not what the broker does."""
    from mqtt_api_kit.contract_tests.probes.security import protected
    from mqtt_api_kit.contract_tests.selection import operations

    every = operations(EMQX_V4)
    kept = {op.operation_id for op in protected(every)}
    assert "getPrometheusStats" not in kept and "dashboardLogin" not in kept
    assert "listClients" in kept and len(kept) == len(every) - 2
    hivemq = operations(HIVEMQ)  # `- {}` at the document level only: nothing is opened
    assert len(protected(hivemq)) == len(hivemq)


def test_junit_marks_verdicts_on_made_up_path_values(tmp_path: Path) -> None:
    from mqtt_api_kit.contract_tests.report import ProfileVerdicts, Replay, write_junit
    from mqtt_api_kit.contract_tests.results import Verdict

    verdicts = {
        "GET /clients/{clientid}": Verdict("PASS", guessed=("clientid",)),
        "GET /nodes": Verdict("PASS"),
        "GET /sasl": Verdict("NOT SERVED", "not served: every answer (3) was 404"),
    }
    junit = tmp_path / "j.xml"
    replay = Replay("http://h/api/v4", None, 1, 5, False, True)
    write_junit([ProfileVerdicts("conformance", "emqx-v4", verdicts)], junit, replay)
    cases = {c.get("name"): c for c in ET.parse(junit).getroot().iter("testcase")}
    marked = cases["GET /clients/{clientid}"].find("properties/property")
    assert marked is not None and marked.attrib == {
        "name": "no_discovered_value",
        "value": "clientid",
    }
    assert cases["GET /nodes"].find("properties") is None
    skipped = cases["GET /sasl"].find("skipped")
    assert skipped is not None and skipped.get("message", "").startswith("not served:")


def test_every_discovered_kind_has_a_name_for_people() -> None:
    from mqtt_api_kit.contract_tests.discovery import KINDS
    from mqtt_api_kit.registry import APIS

    dictionaries = {s.dictionary for api in APIS.values() for s in api.discovery}
    assert dictionaries <= set(KINDS), dictionaries - set(KINDS)
