"""apps/emqx_auth_mnesia/test/emqx_acl_mnesia_SUITE.erl (v4.4.19), the HTTP cases.

Ported: t_rest_api. Not HTTP-level (they call `emqx_acl_mnesia_db`, the migrator, the CLI or
MQTT directly): t_management_before_migration, t_management_after_migration,
t_old_and_new_acl_combination, t_old_and_new_acl_migration, t_migration_concurrency,
t_old_and_new_acl_migration_by_migrator, t_old_and_new_acl_migration_repeated_by_migrator,
t_start_stop_supervised, t_acl_cli, t_last_will_testament_message_check_acl.
"""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from mqtt_api_kit.fixtures import World

from .broker import Api, get_http_data, uri_encode


def clean_acl(world: World) -> None:
    """`init_per_testcase_clean/2`: mnesia:clear_table on both ACL tables."""
    for kind in ("clientid", "username", "all"):
        for rule in list(world.auth_db.acl_rules(kind)):
            world.auth_db.remove_acl(kind, rule.login, rule.topic)


class AclApi(Api):
    """`uri/1` of the suite: `api/v4/acl/<parts>`, each part `emqx_http_lib:uri_encode`d."""

    def url(self, parts: list[str], qs: str = "") -> str:
        return super().url([uri_encode(p) for p in parts], qs)


@pytest.fixture
def acl(client: TestClient, world: World) -> AclApi:
    clean_acl(world)
    return AclApi(client, "/acl")


def _rules(login_key: str | None, login: str, other: str) -> list[dict[str, str]]:
    def rule(who: str, topic: str, action: str, access: str) -> dict[str, str]:
        head = {login_key: who} if login_key else {}
        return {**head, "topic": topic, "action": action, "access": access}

    return [
        rule(login, "topic/A", "pub", "allow"),
        rule(login, "topic/B", "sub", "allow"),
        rule(login, "topic/C", "pubsub", "deny"),
        rule(other, "topic/D", "pubsub", "deny"),
    ]


def test_t_rest_api(acl: AclApi) -> None:
    """emqx_acl_mnesia_SUITE.erl, t_rest_api."""
    acl.post([], _rules("clientid", "test_clientid", "good_clientid1"))

    assert len(get_http_data(acl.get(["clientid", "test_clientid"]))) == 4
    assert len(get_http_data(acl.get(["clientid"], "_like_clientid=good"))) == 2
    assert len(get_http_data(acl.get(["clientid"], "_like_clientid=clientid"))) == 6
    assert len(get_http_data(acl.get(["clientid"], "_like_clientid=clientid&action=pub"))) == 3
    assert len(get_http_data(acl.get(["clientid"], "_like_clientid=clientid&access=deny"))) == 4
    assert len(get_http_data(acl.get(["clientid"], "_like_clientid=clientid&topic=topic/A"))) == 1

    acl.delete(["clientid", "test_clientid", "topic", "topic/A"])
    acl.delete(["clientid", "test_clientid", "topic", "topic/B"])
    acl.delete(["clientid", "test_clientid", "topic", "topic/C"])
    acl.delete(["clientid", "good_clientid1", "topic", "topic/D"])
    assert get_http_data(acl.get(["clientid"])) == []

    acl.post([], _rules("username", "test_username", "good_username"))
    assert len(get_http_data(acl.get(["username", "test_username"]))) == 4
    assert len(get_http_data(acl.get(["username"], "_like_username=good"))) == 2
    assert len(get_http_data(acl.get(["username"], "_like_username=username"))) == 6
    assert len(get_http_data(acl.get(["username"], "_like_username=username&action=pub"))) == 3
    assert len(get_http_data(acl.get(["username"], "_like_username=username&access=deny"))) == 4
    assert len(get_http_data(acl.get(["username"], "_like_username=username&topic=topic/A"))) == 1

    acl.delete(["username", "test_username", "topic", "topic/A"])
    acl.delete(["username", "test_username", "topic", "topic/B"])
    acl.delete(["username", "test_username", "topic", "topic/C"])
    acl.delete(["username", "good_username", "topic", "topic/D"])
    assert get_http_data(acl.get(["username"])) == []

    acl.post([], _rules(None, "", ""))

    assert len(get_http_data(acl.get(["$all"]))) == 6
    assert len(get_http_data(acl.get(["$all"], "topic=topic/A"))) == 1
    assert len(get_http_data(acl.get(["$all"], "action=sub"))) == 3
    assert len(get_http_data(acl.get(["$all"], "access=deny"))) == 4
    assert len(get_http_data(acl.get(["$all"], "action=sub&access=deny"))) == 2

    acl.delete(["$all", "topic", "topic/A"])
    acl.delete(["$all", "topic", "topic/B"])
    acl.delete(["$all", "topic", "topic/C"])
    acl.delete(["$all", "topic", "topic/D"])
    assert get_http_data(acl.get(["$all"])) == []
