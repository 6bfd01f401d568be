"""`/data/…` through /api/v5: an export is a real archive of the world's configuration, an
upload is checked as the broker checks it, and an import changes the world."""

from __future__ import annotations

import io
import tarfile

from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import World
from mqtt_api_kit.mock_server.emqx_v5 import hocon

V4 = ("admin", "public")


def _archive(base: str, files: dict[str, str]) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"{base}/{name}" if not name.startswith("/") else name[1:])
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def test_export_list_download_delete(api: TestClient, world: World) -> None:
    rule = {"action": "all", "source_topic": "a/#", "dest_topic": "b/$1", "re": "^a/(.+)$"}
    assert api.put("/api/v5/mqtt/topic_rewrite", json=[rule]).status_code == 200
    made = api.post("/api/v5/data/export").json()
    name = made["filename"]
    assert name.startswith("emqx-export-") and name.endswith(".tar.gz")
    assert made["node"] in world.cluster.running_names()
    listed = api.get("/api/v5/data/files").json()
    assert [f["filename"] for f in listed["data"]] == [name] and listed["meta"]["count"] == 1
    # 4.x's data store holds the same file
    assert name in [f["filename"] for f in api.get("/api/v4/data/export", auth=V4).json()["data"]]

    raw = api.get(f"/api/v5/data/files/{name}")
    assert raw.headers["content-type"].startswith("application/json")  # minirest's binary
    base = name.removesuffix(".tar.gz")
    with tarfile.open(fileobj=io.BytesIO(raw.content), mode="r:gz") as tar:
        names = tar.getnames()
        member = tar.extractfile(f"{base}/cluster.hocon")
        assert member is not None
        conf = hocon.parse(member.read().decode())
    assert sorted(names) == [f"{base}/META.hocon", f"{base}/cluster.hocon"]
    assert conf["rewrite"] == [rule]

    assert api.get("/api/v5/data/files/x.json").status_code == 400
    other = api.get(f"/api/v5/data/files/{name}", params={"node": "nobody@nowhere"})
    assert (other.status_code, other.json()["message"]) == (400, "Unknown node: nobody@nowhere")
    assert api.delete(f"/api/v5/data/files/{name}").status_code == 204
    gone = api.get(f"/api/v5/data/files/{name}")
    assert (gone.status_code, gone.json()["code"]) == (404, "NOT_FOUND")


def test_upload_is_checked_then_import_applies_it(api: TestClient, world: World) -> None:
    def upload(name: str, content: bytes) -> tuple[int, str]:
        answer = api.post("/api/v5/data/files", files={"filename": (name, content)})
        return answer.status_code, answer.text

    meta = 'edition = "ce"\nversion = "5.7.2"\n'
    cluster = (
        'rewrite = [{action = publish, source_topic = "x/#", dest_topic = "y/$1", '
        're = "^x/(.+)$"}]\nauto_subscribe { topics = [{topic = "t/${clientid}", qos = 1}] }\n'
        "slow_subs { enable = true, top_k_num = 3 }\n"
    )
    good = _archive("mine", {"META.hocon": meta, "cluster.hocon": cluster})
    assert upload("mine.zip", good)[0] == 400
    assert "must be under" in upload("stray.tar.gz", good)[1]
    assert "missing META.hocon" in upload("mine.tar.gz", _archive("mine", {"x": "1"}))[1]
    ee = _archive("mine", {"META.hocon": 'edition = "ee"\nversion = "5.8.1"\n'})
    assert "Enterprise" in upload("mine.tar.gz", ee)[1]
    newer = _archive("mine", {"META.hocon": 'edition = "ce"\nversion = "5.9.0"\n'})
    assert "is newer than" in upload("mine.tar.gz", newer)[1]
    assert upload("mine.tar.gz", b"not a tar")[0] == 400
    assert upload("mine.tar.gz", good)[0] == 204
    assert upload("mine.tar.gz", good)[0] == 400  # already there

    missing = api.post("/api/v5/data/import", json={"filename": "nope.tar.gz"})
    assert (missing.status_code, missing.json()["message"]) == (400, "backup file not found")
    assert api.post("/api/v5/data/import", json={"filename": "mine.tar.gz"}).status_code == 204
    assert api.get("/api/v5/mqtt/topic_rewrite").json()[0]["dest_topic"] == "y/$1"
    assert api.get("/api/v5/mqtt/auto_subscribe").json()[0]["topic"] == "t/${clientid}"
    settings = api.get("/api/v5/slow_subscriptions/settings").json()
    assert settings["enable"] is True and settings["top_k_num"] == 3
