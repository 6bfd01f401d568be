from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mqtt_api_kit.contract_tests import runner
from mqtt_api_kit.contract_tests.profiles import PROFILES
from mqtt_api_kit.contract_tests.runner import build_parser, main, schemathesis_argv, write_config
from mqtt_api_kit.fixtures import build_world
from mqtt_api_kit.mock_server import MockConfig, create_app
from mqtt_api_kit.openapi import document
from mqtt_api_kit.registry import EMQX_V2, EMQX_V4, HIVEMQ, detect

from ..support import free_port, serve


def parse(*cli: str) -> argparse.Namespace:
    return build_parser().parse_args(list(cli))


def argv_for(*cli: str, profile: str = "conformance") -> list[str]:
    args = parse(*cli)
    api = detect(args.url)
    assert api is not None
    return schemathesis_argv(args, api, PROFILES[profile])


def value_after(argv: list[str], flag: str) -> str:
    return argv[argv.index(flag) + 1]


def test_api_is_detected_from_the_base_path() -> None:
    assert detect("http://h:8081/api/v4").name == "emqx-v4"
    assert detect("https://h.example/api/v4/").name == "emqx-v4"
    assert detect("https://abc.emqx.cloud:8443/api").name == "emqx-v4"  # EMQX Cloud
    assert detect("http://h:8081/other") is None


def test_read_only_by_default(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.delenv("ALLOW_DESTRUCTIVE", raising=False)
    argv = argv_for("http://h:8081/api/v4")
    excluded = {argv[i + 1] for i, flag in enumerate(argv) if flag == "--exclude-method"}
    assert excluded == {"POST", "PUT", "PATCH", "DELETE"}
    assert "--include-method" not in argv  # Schemathesis would OR it with --include
    config = write_config(parse("http://h:8081/api/v4"), tmp_path).read_text()
    assert 'unexpected-methods = ["get", "options", "trace", "query"]' in config


def test_writes_only_when_allowed(tmp_path: Path) -> None:
    assert "--exclude-method" not in argv_for("http://h:8081/api/v4", "--allow-destructive")
    config = write_config(parse("http://h:8081/api/v4", "--allow-destructive"), tmp_path)
    assert "unexpected-methods" not in config.read_text()


def test_allow_destructive_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("ALLOW_DESTRUCTIVE", "1")
    assert "--exclude-method" not in argv_for("http://h:8081/api/v4")


def test_profiles_choose_mode_phases_and_checks() -> None:
    conformance = argv_for("http://h:8081/api/v4")
    assert value_after(conformance, "--mode") == "positive"
    assert "emqx_business_code" in value_after(conformance, "--checks")
    robustness = argv_for("http://h:8081/api/v4", profile="robustness")
    assert value_after(robustness, "--mode") == "negative"
    assert "rejects_invalid_input" in value_after(robustness, "--checks")
    stateful = argv_for("http://h:8081/api/v4", profile="stateful")
    assert value_after(stateful, "--phases") == "stateful"


def test_default_credentials_and_override() -> None:
    assert value_after(argv_for("http://h:8081/api/v4"), "--auth") == "admin:public"
    argv = argv_for("http://h:8081/api/v4", "--auth", "ops:pw")
    assert value_after(argv, "--auth") == "ops:pw"
    assert "--auth" not in argv_for("http://h:8081/api/v4", "--no-auth")


def test_reports_and_filters_are_passed_through() -> None:
    argv = argv_for(
        "http://h:8081/api/v4",
        "--junit",
        "out.xml",
        "--har",
        "run.har",
        "--include",
        "clients",
        "--exclude",
        "acl_cache",
    )
    assert value_after(argv, "--report") == "junit,har"
    assert value_after(argv, "--report-junit-path") == "out.xml"
    assert value_after(argv, "--report-har-path") == "run.har"
    assert value_after(argv, "--include-name-regex") == "clients"
    assert value_after(argv, "--exclude-name-regex") == "acl_cache"


def test_each_profile_writes_its_own_reports(monkeypatch) -> None:
    """Several profiles in one run: one JUnit/HAR file each, none overwritten by the next."""
    seen: list[tuple[str, str | None, str | None]] = []

    def fake_run(args, api, profile, discovered) -> int:
        seen.append((profile.name, args.junit, args.har))
        return 0

    monkeypatch.setattr(runner, "run_profile", fake_run)
    cli = ["http://h:8081/api/v4", "--no-preflight", "--no-discovery", "--junit", "r/v4.xml"]
    assert main([*cli, "--har", "t.har", "--profile", "robustness", "--profile", "stateful"]) == 0
    assert seen == [
        ("robustness", "r/v4-robustness.xml", "t-robustness.har"),
        ("stateful", "r/v4-stateful.xml", "t-stateful.har"),
    ]
    seen.clear()
    assert main([*cli, "--profile", "robustness"]) == 0
    assert seen == [("robustness", "r/v4.xml", None)]  # one profile: the path as given


def test_several_regexes_are_one_alternation() -> None:
    """Schemathesis keeps only the last of repeated --include-name-regex flags."""
    argv = argv_for("http://h:8081/api/v4", "--include", "/nodes$", "--include", "/clients")
    assert argv.count("--include-name-regex") == 1
    assert value_after(argv, "--include-name-regex") == "(?:/nodes$)|(?:/clients)"


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
    methods = {"get", "put", "post", "delete", "patch", "head", "options"}
    total = sum(len(methods & set(item)) for item in spec.values())
    assert f"Selected: {len(reads)}/{total}" in out.stdout
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
                base + "/api/v4",
                "--auth",
                "ops:t0p-s3cret",
                "--max-examples",
                "3",
                "--include",
                "GET /clients$",
                flag,
                str(report),
            ]
        )
    assert code == 0
    text = report.read_text()
    assert text and "t0p-s3cret" not in text
    assert "b3BzOnQwcC1zM2NyZXQ=" not in text  # nor as the Basic header's base64


def test_discovery_reads_real_identifiers_and_binds_them(tmp_path: Path) -> None:
    import tomllib

    from mqtt_api_kit.contract_tests.discovery import as_toml, discover

    world = build_world(seed=2, clients=40)
    with serve(create_app(world, MockConfig())) as base:
        found = discover(EMQX_V4, base + "/api/v4", ("admin", "public"))
        v2 = discover(EMQX_V2, base + "/api/v2", ("admin", "public"))
        hive = discover(HIVEMQ, base + "/api/v1", None)
    assert found["nodes"][1] == sorted(n.name for n in world.nodes)
    assert set(found["clients"][1]) <= {c.clientid for c in world.clients()}
    assert v2["nodes"][1] and v2["clients"][1] and hive["clients"][1]
    config = tomllib.loads(as_toml(found))
    assert config["dictionaries"]["nodes"]["values"] == found["nodes"][1]
    assert config["parameters"]["path.node"] == {"dictionary": "nodes", "probability": 0.9}
    text = write_config(parse("http://h/api/v4"), tmp_path, as_toml(found)).read_text()
    tomllib.loads(text)  # the whole run config stays valid TOML


def test_discovery_skips_what_the_target_refuses() -> None:
    from mqtt_api_kit.contract_tests.discovery import discover

    with serve(create_app(build_world(seed=2, clients=5), MockConfig())) as base:
        assert discover(EMQX_V4, base + "/api/v4", ("admin", "wrong")) == {}
