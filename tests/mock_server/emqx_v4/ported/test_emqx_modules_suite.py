"""lib-ce/emqx_modules/test/emqx_modules_SUITE.erl (emqx v4.4.19), the HTTP-level case.

t_modules_api is the suite's only case over HTTP; t_load, t_list,
t_ensure_default_loaded_modules_file, t_modules_cmd and t_join_cluster call Erlang functions,
the CLI or the loaded-modules file and are not ported. `emqx_modules:load_module/2` is the
world's module switch.
"""

from __future__ import annotations

from .broker import fresh_broker, get


def filter_by(items: list[dict[str, object]], key: str, value: object) -> list[dict[str, object]]:
    return [item for item in items if item[key] == value]


def test_t_modules_api() -> None:
    """t_modules_api."""
    b = fresh_broker()
    b.world.set_module_active(b.node, "emqx_mod_presence", True)
    modules1 = b.request_api("get", ["modules"])
    [modules11] = filter_by(get("data", modules1), "node", b.node)
    [module1] = filter_by(modules11["modules"], "name", "emqx_mod_presence")  # type: ignore[arg-type]
    assert module1["name"] == "emqx_mod_presence"
    assert module1["active"] is True

    b.request_api("put", ["modules", "emqx_mod_presence", "unload"])
    error1 = b.request_api("put", ["modules", "emqx_mod_presence", "unload"])
    assert get("message", error1) == "not_started"
    modules2 = b.request_api("get", ["nodes", b.node, "modules"])
    [module2] = filter_by(get("data", modules2), "name", "emqx_mod_presence")
    assert module2["name"] == "emqx_mod_presence"
    assert module2["active"] is False

    b.request_api("put", ["nodes", b.node, "modules", "emqx_mod_presence", "load"])
    modules3 = b.request_api("get", ["nodes", b.node, "modules"])
    [module3] = filter_by(get("data", modules3), "name", "emqx_mod_presence")
    assert module3["name"] == "emqx_mod_presence"
    assert module3["active"] is True

    b.request_api("put", ["nodes", b.node, "modules", "emqx_mod_presence", "unload"])
    error2 = b.request_api("put", ["nodes", b.node, "modules", "emqx_mod_presence", "unload"])
    assert get("message", error2) == "not_started"
    b.world.set_module_active(b.node, "emqx_mod_presence", False)
