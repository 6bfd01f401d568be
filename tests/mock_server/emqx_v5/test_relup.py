"""`/relup…` through /api/v5: the hot-upgrade package is the world's plugin package named
emqx_relup (hidden), uploaded, described, deleted and used to upgrade as
emqx_mgmt_api_relup.erl and the emqx_relup plugin answer."""

from __future__ import annotations

import io
import json
import tarfile
from typing import Any

from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import World

RUNNING = "5.8.1"  # emqx_release:version/0 of the mock's nodes
APP = "emqx_relup-0.1.0"


def _tar(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as archive:
        for path, data in files.items():
            member = tarfile.TarInfo(path)
            member.size = len(data)
            archive.addfile(member, io.BytesIO(data))
    return out.getvalue()


def _release(target: str, sources: tuple[str, ...], relup: bool = True) -> bytes:
    """The release tarball the package carries: its upgrade paths and change logs."""
    files = {
        f"releases/{target}/change_log_{s}_to_{target}.md": f"from {s}".encode() for s in sources
    }
    if relup:
        paths = ",".join(
            f'#{{target_version => "{target}",from_version => "{s}",code_changes => []}}'
            for s in sources
        )
        files[f"releases/{target}/{target}.relup"] = f"[{paths}].".encode()
    return _tar(files)


def _package(
    target: str = "5.8.2",
    sources: tuple[str, ...] = (RUNNING,),
    hidden: bool = True,
    tarballs: int = 1,
    relup: bool = True,
) -> tuple[str, bytes]:
    nv = f"emqx_relup-{target}"
    info: dict[str, Any] = {
        "name": "emqx_relup",
        "rel_vsn": target,
        "rel_apps": [APP],
        "description": "Relup Plugin for EMQX >= 5.7.0",
        "built_on_otp_release": "26",
        "git_commit_or_build_date": "2024-10-10",
    }
    if hidden:
        info["hidden"] = True
    files = {
        f"{nv}/release.json": json.dumps(info).encode(),
        f"{nv}/{APP}/ebin/emqx_relup.app": b"{application, emqx_relup, []}.",
        f"{nv}/{APP}/ebin/emqx_relup_main.beam": b"FOR1",
    }
    for i in range(tarballs):
        vsn = target if i == 0 else f"{target}.{i}"
        files[f"{nv}/{APP}/priv/{vsn}.tar.gz"] = _release(vsn, sources, relup)
    return f"{nv}.tar.gz", _tar(files)


def _upload(api: TestClient, package: tuple[str, bytes], path: str = "relup/package/upload") -> Any:
    name, blob = package
    return api.post(f"/api/v5/{path}", files={"plugin": (name, blob, "application/gzip")})


def test_upload_then_describe_then_delete(api: TestClient, world: World) -> None:
    missing = api.get("/api/v5/relup/package")
    assert missing.status_code == 404
    assert missing.json() == {"code": "NOT_FOUND", "message": "No relup package is installed"}
    package = _package(sources=("5.8.0", RUNNING))
    assert _upload(api, package).status_code == 204
    shown = api.get("/api/v5/relup/package")
    assert shown.status_code == 200
    body = shown.json()
    assert body["name"] == "emqx_relup-5.8.2" and body["target_vsn"] == "5.8.2"
    assert body["applicable_vsns"] == ["5.8.0", RUNNING]
    assert body["change_logs"] == ["from 5.8.0", f"from {RUNNING}"]
    assert body["built_on_otp_release"] == "26" and body["build_date"] == "2024-10-10"
    installed = world.plugin_packages.package("emqx_relup-5.8.2")
    assert installed is not None and installed.running and body["md5_sum"] == installed.md5sum
    # the same state as /plugins: hidden from the list, there by name, started
    assert api.get("/api/v5/plugins").json() == []
    by_name = api.get("/api/v5/plugins/emqx_relup-5.8.2").json()
    assert {s["status"] for s in by_name["running_status"]} == {"running"}
    assert api.delete("/api/v5/relup/package").status_code == 204
    assert api.get("/api/v5/relup/package").status_code == 404
    assert api.get("/api/v5/plugins/emqx_relup-5.8.2").status_code == 404
    assert api.delete("/api/v5/relup/package").status_code == 204  # none: still 204


def test_a_delete_through_plugins_shows_in_relup(api: TestClient) -> None:
    assert _upload(api, _package()).status_code == 204
    assert api.delete("/api/v5/plugins/emqx_relup-5.8.2").status_code == 204
    assert api.get("/api/v5/relup/package").status_code == 404


def test_upload_refusals(api: TestClient) -> None:
    name, blob = _package()
    bad_name = _upload(api, ("other-1.0.0.tar.gz", blob))
    assert bad_name.status_code == 400
    assert bad_name.json() == {
        "code": "BAD_REQUEST",
        "message": "Invalid relup package name: other-1.0.0.tar.gz",
    }
    no_dash = _upload(api, ("emqx_relup.tar.gz", blob))
    assert no_dash.status_code == 400 and no_dash.json()["code"] == "BAD_REQUEST"
    broken = _upload(api, (name, b"not a tarball"))
    assert broken.status_code == 400
    assert broken.json() == {"code": "BAD_PLUGIN_INFO", "message": f"bad_plugin_package: {name}"}
    assert _upload(api, (name, blob)).status_code == 204
    second = _upload(api, _package(target="5.8.3"))
    assert second.status_code == 400
    assert second.json()["message"].startswith("Only one relup package can be installed")
    assert api.get("/api/v5/relup/package").json()["target_vsn"] == "5.8.2"  # kept


def test_a_package_that_is_not_hidden_is_a_plain_plugin(api: TestClient) -> None:
    assert _upload(api, _package(hidden=False)).status_code == 204
    assert [p["name"] for p in api.get("/api/v5/plugins").json()] == ["emqx_relup"]
    assert api.get("/api/v5/relup/package").status_code == 404
    again = _upload(api, _package(hidden=False))  # not a relup package: the plugin check
    assert again.status_code == 400 and again.json()["code"] == "ALREADY_INSTALLED"


def test_a_package_installed_but_never_started(api: TestClient) -> None:
    """Through /plugins/install it is installed stopped: emqx_relup_main is not loaded, so
    the description fails and deletes it, and an upgrade says no package is installed."""
    assert _upload(api, _package(), path="plugins/install").status_code == 204
    refused = api.post("/api/v5/relup/upgrade")
    assert refused.status_code == 400
    assert refused.json() == {"code": "BAD_REQUEST", "message": "No relup package is installed"}
    failed = api.get("/api/v5/relup/package")
    assert failed.status_code == 500
    assert failed.json() == {"code": "INTERNAL_ERROR", "message": "No relup package is installed"}
    assert api.get("/api/v5/plugins/emqx_relup-5.8.2").status_code == 404  # deleted


def test_status_before_any_package(api: TestClient, world: World) -> None:
    status = api.get("/api/v5/relup/status").json()
    assert [s["node"] for s in status] == world.cluster.running_names()
    for row in status:
        assert row["status"] == "idle" and row["upgrade_history"] == []
        assert row["current_vsn"] == RUNNING and row["role"] == "core"
        gauges = world.stats(row["node"]).get(row["node"], {})
        assert row["live_connections"] == gauges.get("connections.count", 0)


def test_status_of_one_node_and_of_unknown_or_stopped_nodes(api: TestClient, world: World) -> None:
    first, *rest = world.cluster.running_names()
    assert api.get(f"/api/v5/relup/status/{first}").json()["node"] == first
    unknown = api.get("/api/v5/relup/status/nobody@nowhere")
    assert unknown.status_code == 404
    assert unknown.json() == {"code": "NOT_FOUND", "message": "Node not found: nobody@nowhere"}
    if rest:
        world.cluster.set_running(rest[0], False)
        gone = api.get(f"/api/v5/relup/status/{rest[0]}")
        assert gone.status_code == 404
        assert rest[0] not in [s["node"] for s in api.get("/api/v5/relup/status").json()]


def test_upgrade_to_the_running_version_is_refused_and_logged(
    api: TestClient, world: World
) -> None:
    assert _upload(api, _package(target=RUNNING, sources=("5.8.0",))).status_code == 204
    refused = api.post("/api/v5/relup/upgrade")
    assert refused.status_code == 400
    assert refused.json() == {
        "code": "BAD_REQUEST",
        "message": "#{err_type => already_upgraded_to_target_vsn,stage => check_and_unpack,"
        f'vsn => "{RUNNING}"}}',
    }
    for row in api.get("/api/v5/relup/status").json():
        [log] = row["upgrade_history"]
        assert log["status"] == "finished" and row["status"] == "idle"
        assert log["from_vsn"] == RUNNING and log["target_vsn"] == RUNNING
        assert log["result"] == {
            "err_type": "already_upgraded_to_target_vsn",
            "details": f'#{{stage => check_and_unpack,vsn => "{RUNNING}"}}',
        }
        assert log["upgrade_opts"] == {"deploy_inplace": False}


def test_upgrade_without_a_path_from_the_running_version(api: TestClient, world: World) -> None:
    assert _upload(api, _package(sources=("5.7.0",))).status_code == 204
    node = world.cluster.running_names()[0]
    refused = api.post(f"/api/v5/relup/upgrade/{node}")
    assert refused.status_code == 400
    message = refused.json()["message"]
    assert (
        message.startswith("#{err_type => no_relup_entry,")
        and f'from_vsn => "{RUNNING}"' in message
    )
    status = api.get(f"/api/v5/relup/status/{node}").json()
    assert status["upgrade_history"][-1]["result"]["err_type"] == "no_relup_entry"
    assert status["current_vsn"] == RUNNING


def test_upgrade_one_node_then_all(api: TestClient, world: World) -> None:
    assert _upload(api, _package()).status_code == 204
    first, *rest = world.cluster.running_names()
    assert api.post(f"/api/v5/relup/upgrade/{first}").status_code == 204
    done = api.get(f"/api/v5/relup/status/{first}").json()
    assert done["current_vsn"] == "5.8.2" and done["upgrade_history"][-1]["result"] == "success"
    if rest:
        other = api.get(f"/api/v5/relup/status/{rest[0]}").json()
        assert other["current_vsn"] == RUNNING and other["upgrade_history"] == []
    again = api.post("/api/v5/relup/upgrade")  # the first node is already there
    assert again.status_code == 400 and "already_upgraded_to_target_vsn" in again.json()["message"]
    for name in rest:  # the others went on: rpc:multicall runs on every node
        assert api.get(f"/api/v5/relup/status/{name}").json()["current_vsn"] == "5.8.2"


def test_upgrade_an_unknown_node(api: TestClient) -> None:
    not_ready = api.post("/api/v5/relup/upgrade/nobody@nowhere")
    assert not_ready.status_code == 400  # ?ASSERT_PKG_READY before with_node/2
    assert _upload(api, _package()).status_code == 204
    unknown = api.post("/api/v5/relup/upgrade/nobody@nowhere")
    assert unknown.status_code == 404
    assert unknown.json() == {"code": "NOT_FOUND", "message": "Node not found: nobody@nowhere"}


def test_code_stays_loaded_after_delete(api: TestClient, world: World) -> None:
    """emqx_plugins only soft-purges: after the delete, the upgrade reaches emqx_relup_main,
    whose process is gone (noproc), and the status still reads its log."""
    assert _upload(api, _package(target=RUNNING)).status_code == 204
    assert api.post("/api/v5/relup/upgrade").status_code == 400  # logged
    assert api.delete("/api/v5/relup/package").status_code == 204
    crashed = api.post("/api/v5/relup/upgrade")
    assert crashed.status_code == 500
    assert crashed.json()["message"] == (
        "{'EXIT',{noproc,{gen_server,call,[emqx_relup_main,"
        "{upgrade,#{deploy_inplace => false}},infinity]}}}"
    )
    node = world.cluster.running_names()[0]
    local = api.post(f"/api/v5/relup/upgrade/{node}")  # the answering node: the handler crashes
    assert local.status_code == 500 and local.json()["message"].startswith("exit, {noproc,")
    assert len(api.get(f"/api/v5/relup/status/{node}").json()["upgrade_history"]) == 1


def test_a_package_without_one_release_tarball(api: TestClient) -> None:
    assert _upload(api, _package(tarballs=0)).status_code == 204
    described = api.get("/api/v5/relup/package")
    assert described.status_code == 500
    assert "no_relup_tar_file_found" in described.json()["message"]
    assert api.get("/api/v5/relup/package").status_code == 500  # not deleted: the call exited
    upgrade = api.post("/api/v5/relup/upgrade")
    assert upgrade.status_code == 500 and "bad_return_value" in upgrade.json()["message"]


def test_a_release_without_its_relup_file(api: TestClient) -> None:
    assert _upload(api, _package(relup=False)).status_code == 204
    described = api.get("/api/v5/relup/package")
    assert described.status_code == 500
    assert described.json()["message"].startswith("#{err_type => failed_to_read_relup_file,")
    assert api.get("/api/v5/relup/package").status_code == 404  # the corrupted one is deleted


def test_upload_without_the_form_field(api: TestClient) -> None:
    """No clause of the handler matches a form without `plugin`: minirest's crash answer."""
    answer = api.post("/api/v5/relup/package/upload", files={"other": ("x", b"y")})
    assert answer.status_code == 500
    assert answer.json() == {"code": "INTERNAL_ERROR", "message": "error, function_clause"}
