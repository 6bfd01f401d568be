"""Backups, restores, diagnostic archives and trace recordings through `/api/v1/management`:
their states on the world's clock, their real archives, HiveMQ's errors."""

from __future__ import annotations

import base64
import io
import json
import zipfile
from urllib.parse import quote

from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import World, build_world
from mqtt_api_kit.fixtures.jobs import BACKUP_MS, DIAGNOSTIC_ARCHIVE_MS, RESTORE_MS
from mqtt_api_kit.mock_server import MockConfig, create_app
from mqtt_api_kit.mock_server.hivemq import backup_file, diagnostic_file, serialize

BACKUPS = "/api/v1/management/backups"
FILES = "/api/v1/management/files"
TRACES = "/api/v1/management/trace-recordings"
HOUR = 3_600_000


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_a_backup_goes_from_in_progress_to_completed_and_is_then_downloadable(
    hive: TestClient, world: World
) -> None:
    created = hive.post(BACKUPS)
    assert created.status_code == 200
    backup = created.json()["backup"]
    assert backup["state"] == "IN_PROGRESS" and "bytes" not in backup
    assert backup["id"] == "20260302-093001" and backup["createdAt"] == "2026-03-02T09:30:01Z"
    early = hive.get(f"{FILES}/backups/{backup['id']}")
    assert early.status_code == 404 and "IN_PROGRESS" in early.json()["errors"][0]["detail"]
    world.clock.advance(BACKUP_MS)
    done = hive.get(f"{BACKUPS}/{backup['id']}").json()["backup"]
    assert done["state"] == "COMPLETED"
    download = hive.get(f"{FILES}/backups/{backup['id']}")
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/octet-stream"
    assert download.headers["content-disposition"] == f'attachment; filename="{backup["id"]}.zip"'
    assert len(download.content) == done["bytes"]
    assert hive.get(BACKUPS).json() == {"items": [done]}


def test_the_backup_file_holds_the_persistent_sessions_subscriptions_and_retained_messages(
    hive: TestClient, world: World
) -> None:
    world.publish("plant/line1/temp", b"21.5", qos=1, retain=True)
    backup_id = hive.post(BACKUPS).json()["backup"]["id"]
    world.clock.advance(BACKUP_MS)
    files = unzip(hive.get(f"{FILES}/backups/{backup_id}").content)
    assert list(files) == [
        "backup.json",
        "sessions.json",
        "subscriptions.json",
        "shared-subscriptions.json",
        "retained-messages.json",
    ]
    manifest = json.loads(files["backup.json"])
    persistent = [c for c in world.clients() if c.session_expiry > 0]
    sessions = json.loads(files["sessions.json"])
    assert manifest["id"] == backup_id and manifest["contents"]["sessions"] == len(persistent)
    assert [s["clientId"] for s in sessions] == [c.clientid for c in persistent]
    kept = {c.clientid for c in persistent}
    plain = [
        (c.clientid, s.topic)
        for c, s in world.subscriptions()
        if c.clientid in kept and not s.group
    ]
    subs = json.loads(files["subscriptions.json"])
    assert [(s["clientId"], s["topicFilter"]) for s in subs] == plain
    (retained,) = json.loads(files["retained-messages.json"])
    assert retained["topic"] == "plant/line1/temp"
    assert base64.b64decode(retained["payload"]) == b"21.5"


def test_the_same_seed_gives_the_same_backup_file_byte_for_byte() -> None:
    files = []
    for _ in range(2):
        world = build_world(seed=21, clients=60)
        files.append(backup_file.build(world, "20260302-093001", world.now))
    assert files[0] == files[1] and zipfile.is_zipfile(io.BytesIO(files[0]))
    other = build_world(seed=22, clients=60)
    assert backup_file.build(other, "20260302-093001", other.now) != files[0]


def test_a_second_backup_while_one_runs_is_failed_for_an_hour(
    hive: TestClient, world: World
) -> None:
    hive.post(BACKUPS)
    failed = hive.post(BACKUPS).json()["backup"]
    assert failed["state"] == "FAILED"
    assert failed["failReason"] == "Another backup is already in progress."
    assert hive.get(f"{FILES}/backups/{failed['id']}").status_code == 404
    world.clock.advance(HOUR + 2000)
    assert hive.get(f"{BACKUPS}/{failed['id']}").status_code == 404


def test_a_restore_into_a_cluster_with_data_fails_with_the_reason(
    hive: TestClient, world: World
) -> None:
    backup_id = hive.post(BACKUPS).json()["backup"]["id"]
    refused = hive.post(f"{BACKUPS}/{backup_id}")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["title"] == "Backup not restorable"
    world.clock.advance(BACKUP_MS)
    failed = hive.post(f"{BACKUPS}/{backup_id}").json()["backup"]
    assert failed["state"] == "RESTORE_FAILED" and "not empty" in failed["failReason"]
    assert "bytes" in failed  # a RESTORE_FAILED backup can still be downloaded
    assert hive.get(f"{FILES}/backups/{backup_id}").status_code == 200
    assert hive.post(f"{BACKUPS}/nothing").status_code == 404


def test_a_restore_brings_the_sessions_back_offline_with_their_subscriptions(
    hive: TestClient, world: World
) -> None:
    world.publish("plant/line1/temp", b"21.5", qos=1, retain=True)
    persistent = {c.clientid: c for c in world.clients() if c.session_expiry > 0}
    subs = sorted(
        (c.clientid, s.topic, s.group) for c, s in world.subscriptions() if c.clientid in persistent
    )
    backup_id = hive.post(BACKUPS).json()["backup"]["id"]
    world.clock.advance(BACKUP_MS)
    for clientid in [c.clientid for c in world.clients()]:
        assert hive.delete(f"/api/v1/mqtt/clients/{quote(clientid, safe='')}").status_code == 204
    world.publish("plant/line1/temp", b"", retain=True)  # an empty retained payload clears it
    restoring = hive.post(f"{BACKUPS}/{backup_id}").json()["backup"]
    assert restoring["state"] == "RESTORE_IN_PROGRESS"
    assert {c.clientid for c in world.clients()} == set(persistent)
    assert not any(c.connected for c in world.clients())
    assert sorted((c.clientid, s.topic, s.group) for c, s in world.subscriptions()) == subs
    assert world.retained["plant/line1/temp"].payload == b"21.5"
    for clientid, before in persistent.items():
        after = world.client(clientid)
        assert (after.session_expiry, after.mqueue_len, after.username) == (
            before.session_expiry,
            before.mqueue_len,
            before.username,
        )
    world.clock.advance(RESTORE_MS)
    assert hive.get(f"{BACKUPS}/{backup_id}").json()["backup"]["state"] == "RESTORE_COMPLETED"
    shown = hive.get(f"/api/v1/mqtt/clients/{quote(next(iter(persistent)), safe='')}").json()
    assert shown["client"]["connected"] is False


def test_a_diagnostic_archive_is_a_real_zip_of_the_nodes_diagnostics(
    hive: TestClient, world: World
) -> None:
    made = hive.post("/api/v1/management/diagnostic-archives").json()["diagnosticArchive"]
    assert made["state"] == "IN_PROGRESS" and "bytes" not in made
    busy = hive.post("/api/v1/management/diagnostic-archives").json()["diagnosticArchive"]
    assert busy["state"] == "FAILED" and "already in progress" in busy["failReason"]
    world.clock.advance(DIAGNOSTIC_ARCHIVE_MS)
    archive = world.diagnostic_archives.archive(made["id"])
    assert archive is not None and archive.state(world.now) == "COMPLETED"
    files = unzip(archive.archive or b"")
    node = serialize.node_id(world.nodes[0].name)
    base = f"{made['id']}/nodes/{node}"
    assert {f"{made['id']}/cluster.json", f"{base}/config.xml", f"{base}/hivemq.log"} <= set(files)
    cluster = json.loads(files[f"{made['id']}/cluster.json"])
    assert cluster["sessions"]["connected"] == sum(1 for c in world.clients() if c.connected)
    assert b"<tcp-listener>" in files[f"{base}/config.xml"]
    assert b"Started TCP Listener" in files[f"{base}/hivemq.log"]
    assert diagnostic_file.build(world, "x", 0) == diagnostic_file.build(world, "x", 0)


def test_a_fresh_broker_has_its_trace_recordings_in_their_states(hive: TestClient) -> None:
    items = {r["name"]: r for r in hive.get(TRACES).json()["items"]}
    assert items["connect-audit"]["state"] == "STOPPED"
    assert items["night-watch"]["state"] == "SCHEDULED"
    assert items["night-watch"]["topicFilters"] == [{"regex": "alerts/.*"}]


def recording(name: str, start: str, end: str, **extra: object) -> dict[str, object]:
    body = {"name": name, "startAt": start, "endAt": end, "events": ["MQTT_MESSAGE_CONNECT"]}
    return {"traceRecording": {**body, "clientIdFilters": [{"regex": ".*"}], **extra}}


def test_a_trace_recording_moves_through_its_states_and_stops_by_hand(
    hive: TestClient, world: World
) -> None:
    created = hive.post(
        TRACES,
        json=recording("watch", "2026-03-02T10:30:00Z", "2026-03-02T11:30:00.000Z", state="X"),
    )
    assert created.status_code == 201
    assert created.json()["traceRecording"]["state"] == "SCHEDULED"  # a state sent is ignored
    assert hive.get(f"{FILES}/trace-recordings/watch").status_code == 404  # no file yet
    world.clock.advance(HOUR)
    states = {r["name"]: r["state"] for r in hive.get(TRACES).json()["items"]}
    assert states["watch"] == "IN_PROGRESS"
    stopped = hive.patch(f"{TRACES}/watch", json={"traceRecording": {"state": "STOPPED"}})
    assert stopped.status_code == 200 and stopped.json()["traceRecording"]["state"] == "STOPPED"
    again = hive.patch(f"{TRACES}/watch", json={"traceRecording": {"state": "STOPPED"}})
    assert again.json() == stopped.json()
    wrong = hive.patch(f"{TRACES}/watch", json={"traceRecording": {"state": "IN_PROGRESS"}})
    assert wrong.status_code == 400 and wrong.json()["errors"][0]["title"] == "Invalid resource"
    assert hive.delete(f"{TRACES}/watch").status_code == 204
    assert hive.delete(f"{TRACES}/watch").status_code == 404
    assert (
        hive.patch(f"{TRACES}/watch", json={"traceRecording": {"state": "STOPPED"}}).status_code
        == 404
    )


def test_trace_recordings_hivemq_refuses(hive: TestClient) -> None:
    cases = [
        ({"traceRecording": {"name": "abc"}}, "The fields {name, events, startAt, endAt}"),
        (recording("ab", "2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z"), "ab"),
        (recording("abc", "2026-03-02T11:00:00Z", "2026-03-02T10:00:00Z"), "later time"),
        (recording("abc", "yesterday", "2026-03-02T10:00:00Z"), "date-time"),
        (recording("abc", "2026-02-30T10:00:00Z", "2026-03-02T10:00:00Z"), "date-time"),
        (recording("connect-audit", "2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z"), "already"),
        (
            recording(
                "abc",
                "2026-03-02T10:00:00Z",
                "2026-03-02T11:00:00Z",
                clientIdFilters=[{"regex": "("}],
            ),
            "regular expression",
        ),
        (
            recording("abc", "2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z", clientIdFilters=[]),
            "client ID filter or topic",
        ),
    ]
    for body, words in cases:
        answer = hive.post(TRACES, json=body)
        assert answer.status_code == 400, body
        error = answer.json()["errors"][0]
        assert error["title"] == "Invalid resource", error
        assert words in error["detail"] or (words == "date-time" and "RFC 3339" in error["detail"])
    missing = hive.post(TRACES)
    assert (
        missing.status_code == 400
        and missing.json()["errors"][0]["title"] == "Required parameter missing"
    )


def test_a_trace_recordings_files_hold_the_worlds_events_per_node(
    hive: TestClient, world: World
) -> None:
    answer = hive.get(f"{FILES}/trace-recordings/connect-audit")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/zip"
    files = unzip(answer.content)
    assert sorted(files) == sorted(
        f"connect-audit/{serialize.node_id(n.name)}.log" for n in world.nodes
    )
    rec = world.trace_recordings.recording("connect-audit")
    assert rec is not None
    expected = [c for c in world.clients() if rec.start_at <= c.connected_at < rec.end_at]
    text = b"".join(files.values()).decode()
    assert expected and text.count("Received CONNECT") == len(expected)
    for client in expected:
        assert f"[{client.clientid}] - Received CONNECT" in text
    node_log = files[f"connect-audit/{serialize.node_id(expected[0].node)}.log"].decode()
    first = node_log.index(f"[{expected[0].clientid}] - Received CONNECT")
    assert first < node_log.index(f"[{expected[0].clientid}] - Sent CONNACK")


def test_a_topic_filter_traces_only_the_publishes_of_matching_topics(
    hive: TestClient, world: World
) -> None:
    sender = next(c for c in world.clients() if c.connected)
    hive.post(
        TRACES,
        json={
            "traceRecording": {
                "name": "alerts",
                "startAt": "2026-03-02T09:00:00Z",
                "endAt": "2026-03-02T12:00:00Z",
                "topicFilters": [{"regex": "alerts/.*"}],
                "events": ["MQTT_MESSAGE_PUBLISH", "MQTT_MESSAGE_CONNECT"],
            }
        },
    )
    world.publish("alerts/fire", b"!", qos=1, retain=True, sender=sender.clientid)
    world.publish("other/topic", b"x", retain=True, sender=sender.clientid)
    text = b"".join(unzip(hive.get(f"{FILES}/trace-recordings/alerts").content).values()).decode()
    assert "topic: alerts/fire" in text and "other/topic" not in text
    assert "Received CONNECT" not in text  # a CONNECT has no topic


def test_a_fresh_world_and_its_files_are_the_same_on_every_start() -> None:
    bodies = []
    for _ in range(2):
        client = TestClient(create_app(build_world(seed=9, clients=40), MockConfig()))
        bodies.append(client.get(f"{FILES}/trace-recordings/connect-audit").content)
    assert bodies[0] == bodies[1]
