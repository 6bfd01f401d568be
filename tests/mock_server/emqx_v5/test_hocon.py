"""The HOCON a data backup holds: what the mock writes reads back, and a broker's own
hocon_pp text (unquoted values, dotted keys, comments) reads as EMQX's raw configuration."""

from __future__ import annotations

import pytest

from mqtt_api_kit.mock_server.emqx_v5 import hocon


def test_round_trip() -> None:
    tree = {
        "retainer": {"enable": True, "backend": {"index_specs": [[1, 2, 3], [3]]}},
        "rewrite": [{"re": "^x/(.+)$", "dest_topic": "y/$1"}],
        "odd key": {"x": 1.5, "none": None},
    }
    assert hocon.parse(hocon.dump(tree)) == tree


def test_a_brokers_text() -> None:
    text = (
        "# exported\nretainer.enable = false\n"
        "retainer {\n  msg_expiry_interval = 0s // never\n  backend {type = built_in_database}\n}\n"
        'log.console {level = warning, formatter: "text"}\nlist = [a, "b", 3, -2.5]\n'
    )
    assert hocon.parse(text) == {
        "retainer": {
            "enable": False,
            "msg_expiry_interval": "0s",
            "backend": {"type": "built_in_database"},
        },
        "log": {"console": {"level": "warning", "formatter": "text"}},
        "list": ["a", "b", 3, -2.5],
    }
    assert hocon.parse('{"edition": "ce", "version": "5.8.1"}') == {
        "edition": "ce",
        "version": "5.8.1",
    }


@pytest.mark.parametrize("bad", ["a = [1, 2", 'a = "open', "a b", "{a = 1} b", "a = {" * 70])
def test_unreadable_text_is_an_error(bad: str) -> None:
    with pytest.raises(hocon.HoconError):
        hocon.parse(bad)
