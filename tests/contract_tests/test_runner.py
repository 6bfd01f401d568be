from __future__ import annotations

from contract_tests.apis import detect
from contract_tests.runner import build_parser, main, schemathesis_argv


def argv_for(*cli: str) -> list[str]:
    args = build_parser().parse_args(list(cli))
    api = detect(args.url)
    assert api is not None
    return schemathesis_argv(args, api)


def test_api_is_detected_from_the_base_path() -> None:
    assert detect("http://h:8081/api/v4").name == "emqx-v4"
    assert detect("https://h.example/api/v4/").name == "emqx-v4"
    assert detect("http://h:8081/other") is None


def test_read_only_by_default(monkeypatch) -> None:
    monkeypatch.delenv("ALLOW_DESTRUCTIVE", raising=False)
    argv = argv_for("http://h:8081/api/v4")
    assert argv[argv.index("--include-method") + 1] == "GET"


def test_writes_only_when_allowed() -> None:
    assert "--include-method" not in argv_for("http://h:8081/api/v4", "--allow-destructive")


def test_default_credentials_and_override() -> None:
    argv = argv_for("http://h:8081/api/v4")
    assert argv[argv.index("--auth") + 1] == "admin:public"
    argv = argv_for("http://h:8081/api/v4", "--auth", "ops:pw")
    assert argv[argv.index("--auth") + 1] == "ops:pw"
    assert "--auth" not in argv_for("http://h:8081/api/v4", "--no-auth")


def test_junit_report_path_is_passed() -> None:
    argv = argv_for("http://h:8081/api/v4", "--junit", "out.xml")
    assert argv[argv.index("--report-junit-path") + 1] == "out.xml"


def test_unknown_api_is_a_clear_error(capsys) -> None:
    assert main(["http://h:8081/nothing"]) == 2
    assert "cannot tell the API" in capsys.readouterr().err
