"""`/plugins…` through /api/v5: an uploaded package is checked as emqx_plugins checks it, then
listed, started, configured, moved and deleted — on every running node of the world."""

from __future__ import annotations

import io
import json
import tarfile
from typing import Any

from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import World

NV = "emqx_demo-1.0.0"


def _tarball(name_vsn: str = NV, info: dict[str, Any] | None = None, ebin: bool = True) -> bytes:
    release = {
        "name": name_vsn.split("-", 1)[0],
        "rel_vsn": name_vsn.split("-", 1)[1],
        "rel_apps": ["emqx_demo-0.1.0"],
        "description": "A demo.",
    }
    files = {f"{name_vsn}/release.json": json.dumps(info if info is not None else release)}
    files[f"{name_vsn}/README.md"] = "# demo"
    files[f"{name_vsn}/config.hocon"] = "greeting = hello\nlimits { rate = 10 }"
    if ebin:
        files[f"{name_vsn}/emqx_demo-0.1.0/ebin/emqx_demo.app"] = "{application, emqx_demo, []}."
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as archive:
        for path, text in files.items():
            data = text.encode()
            member = tarfile.TarInfo(path)
            member.size = len(data)
            archive.addfile(member, io.BytesIO(data))
    return out.getvalue()


def _install(api: TestClient, blob: bytes, file_name: str = f"{NV}.tar.gz") -> Any:
    return api.post(
        "/api/v5/plugins/install", files={"plugin": (file_name, blob, "application/gzip")}
    )


def test_install_list_start_stop_delete(api: TestClient, world: World) -> None:
    assert api.get("/api/v5/plugins").json() == []
    assert _install(api, _tarball()).status_code == 204
    [listed] = api.get("/api/v5/plugins").json()
    assert listed["name"] == "emqx_demo" and listed["rel_vsn"] == "1.0.0" and "readme" not in listed
    nodes = world.cluster.running_names()
    assert [s["node"] for s in listed["running_status"]] == list(reversed(nodes))
    assert {s["status"] for s in listed["running_status"]} == {"stopped"}
    assert api.get(f"/api/v5/plugins/{NV}").json()["readme"] == "# demo"
    assert api.put(f"/api/v5/plugins/{NV}/start").status_code == 204
    assert {s["status"] for s in api.get(f"/api/v5/plugins/{NV}").json()["running_status"]} == {
        "running"
    }
    assert world.plugin_packages.configured() == ((NV, True),)
    assert api.put(f"/api/v5/plugins/{NV}/stop").status_code == 204
    assert world.plugin_packages.configured() == ((NV, False),)
    assert api.delete(f"/api/v5/plugins/{NV}").status_code == 204
    gone = api.get(f"/api/v5/plugins/{NV}")
    assert gone.status_code == 404 and gone.json() == {"code": "NOT_FOUND", "message": NV}
    assert api.delete(f"/api/v5/plugins/{NV}").status_code == 404


def test_a_package_without_its_code_does_not_run(api: TestClient) -> None:
    assert _install(api, _tarball(ebin=False)).status_code == 204
    assert api.put(f"/api/v5/plugins/{NV}/start").status_code == 204  # results are ignored
    assert {s["status"] for s in api.get(f"/api/v5/plugins/{NV}").json()["running_status"]} == {
        "stopped"
    }


def test_bad_packages_are_refused_and_nothing_is_listed(api: TestClient) -> None:
    cases = [
        (b"not a tarball", f"{NV}.tar.gz", "bad_plugin_package"),
        (_tarball(info={"name": "emqx_demo"}), f"{NV}.tar.gz", "bad_info_file_content"),
        (
            _tarball(
                info={"name": "other", "rel_vsn": "1.0.0", "rel_apps": ["a-1"], "description": ""}
            ),
            f"{NV}.tar.gz",
            "name_vsn_mismatch",
        ),
        (
            _tarball(
                info={"name": "emqx_demo", "rel_vsn": "1.0.0", "rel_apps": [], "description": ""}
            ),
            f"{NV}.tar.gz",
            "bad_rel_apps",
        ),
        (_tarball(), "nodash.tar.gz", "bad_name_vsn"),
    ]
    for blob, file_name, reason in cases:
        refused = _install(api, blob, file_name)
        assert refused.status_code == 400 and refused.json()["code"] == "BAD_PLUGIN_INFO", (
            refused.text
        )
        assert refused.json()["message"].startswith(reason), refused.text
    assert api.get("/api/v5/plugins").json() == []
    no_form = api.post("/api/v5/plugins/install", files={"other": ("x", b"y")})
    assert no_form.status_code == 400 and no_form.json()["code"] == "BAD_FORM_DATA"


def test_versions_of_one_name_exclude_each_other(api: TestClient) -> None:
    assert _install(api, _tarball()).status_code == 204
    again = _install(api, _tarball())
    assert (
        again.json()["code"] == "ALREADY_INSTALLED"
        and "is already installed" in again.json()["message"]
    )
    newer = _install(api, _tarball("emqx_demo-2.0.0"), "emqx_demo-2.0.0.tar.gz")
    assert newer.json() == {
        "code": "ALREADY_INSTALLED",
        "message": f'["plugins/{NV}"] already installed',
    }


def test_config_schema_and_boot_order(api: TestClient, world: World) -> None:
    other = "emqx_other-0.2.0"
    assert _install(api, _tarball()).status_code == 204
    assert _install(api, _tarball(other), f"{other}.tar.gz").status_code == 204
    config = api.get(f"/api/v5/plugins/{NV}/config")
    assert config.headers["content-type"] == "'application/json'"
    assert json.loads(config.content) == {"greeting": "hello", "limits": {"rate": 10}}
    assert api.put(f"/api/v5/plugins/{NV}/config", json={"greeting": "hi"}).status_code == 204
    assert json.loads(api.get(f"/api/v5/plugins/{NV}/config").content) == {"greeting": "hi"}
    assert api.get(f"/api/v5/plugins/{NV}/schema").json() == {"avsc": None, "i18n": None}
    assert api.get("/api/v5/plugins/nope-1/schema").status_code == 404
    unanchored = api.post(f"/api/v5/plugins/{NV}/move", json={"position": f"after:{other}"})
    assert unanchored.json()["code"] == "MOVE_FAILED"
    assert api.post(f"/api/v5/plugins/{other}/move", json={"position": "front"}).status_code == 204
    assert api.post(f"/api/v5/plugins/{NV}/move", json={"position": "front"}).status_code == 204
    assert [nv for nv, _ in world.plugin_packages.configured()] == [NV, other]
    assert (
        api.post(f"/api/v5/plugins/{NV}/move", json={"position": f"after:{other}"}).status_code
        == 204
    )
    assert [p["name"] for p in api.get("/api/v5/plugins").json()] == ["emqx_other", "emqx_demo"]
    itself = api.post(f"/api/v5/plugins/{NV}/move", json={"position": f"before:{NV}"})
    assert itself.json() == {
        "code": "BAD_POSITION",
        "message": "Invalid parameter. Cannot be placed before itself",
    }
