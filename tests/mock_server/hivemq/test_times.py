"""HiveMQ's time texts are RFC 3339 date-times for every time the world can hold."""

from __future__ import annotations

import re

import pytest

from mqtt_api_kit.mock_server.hivemq.serialize import rfc3339
from mqtt_api_kit.mock_server.hivemq.serialize_management import seconds

DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z")


@pytest.mark.parametrize("ms", [1595257190580, 0, -1, -56_000_000_000_000, 253_402_300_799_999])
def test_every_time_is_a_date_time_with_a_four_digit_year(ms: int) -> None:
    # a trace recording may be created with a far-past start (the 200-example run found one
    # printed "181-06-02T…": strftime's %Y does not pad years below 1000)
    assert DATE_TIME.fullmatch(rfc3339(ms)), rfc3339(ms)
    assert DATE_TIME.fullmatch(seconds(ms)), seconds(ms)


def test_milliseconds_as_hivemq_prints_them() -> None:
    assert rfc3339(1595257190580) == "2020-07-20T14:59:50.580Z"
    assert rfc3339(-1) == "1969-12-31T23:59:59.999Z"
    assert seconds(1595257190580) == "2020-07-20T14:59:50Z"
