"""The clock-offset estimates from timed readings (issue 21), and the skew warning/refusal."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chaosml.engine.alert_clocks import Measured, max_skew_seconds, skew_refusal, skew_warning
from chaosml.errors import InputError
from chaosml.io.clock_offset import ClockOffset, Reading, precise_offset, whole_second_offset

PROM = ("prometheus", "http://127.0.0.1:9090")


def test_precise_offset_uses_the_shortest_round_trip_and_its_midpoint() -> None:
    readings = [
        Reading(sent_wall=1000.0, rtt_s=0.200, server_time=1005.150),
        Reading(sent_wall=1001.0, rtt_s=0.010, server_time=1006.0045),  # truncated to ms
    ]
    found = precise_offset(readings, 0.001, "prometheus time()")
    assert found.offset_s == pytest.approx(5.0)
    assert found.uncertainty_s == pytest.approx(0.0055)
    assert found.rtt_s == pytest.approx(0.010)
    assert found.to_local(1010.0) == pytest.approx(1005.0)


@given(
    offset=st.floats(min_value=-30, max_value=30),
    phases=st.lists(st.floats(min_value=0, max_value=0.999), min_size=1, max_size=6),
    rtt=st.floats(min_value=0.0005, max_value=0.05),
)
def test_whole_second_offset_bounds_contain_the_true_offset(
    offset: float, phases: list[float], rtt: float
) -> None:
    readings = []
    for n, phase in enumerate(phases):
        sent = 2000.0 + n + phase
        server_now = sent + rtt / 2 + offset  # the server stamps the midpoint, truncated
        readings.append(Reading(sent, rtt, float(int(server_now))))
    found = whole_second_offset(readings, "HTTP Date header")
    assert abs(found.offset_s - offset) <= found.uncertainty_s + 1e-9
    assert found.uncertainty_s <= 0.5 + rtt


def _measured(offset: float) -> Measured:
    return Measured(PROM, ClockOffset(offset, 0.001, "prometheus time()", 0.002))


def test_a_skew_over_two_seconds_is_a_warning_naming_ntp() -> None:
    assert skew_warning(_measured(1.9)) is None
    warning = skew_warning(_measured(-5.0))
    assert warning is not None
    assert "5.00s behind chaosml's" in warning and "NTP" in warning


def test_max_clock_skew_refuses_only_beyond_the_limit() -> None:
    assert skew_refusal([_measured(0.4)], 0.5) is None
    assert skew_refusal([_measured(5.0)], None) is None
    refusal = skew_refusal([_measured(0.6)], 0.5)
    assert refusal is not None and "0.60s ahead of chaosml's" in refusal and "NTP" in refusal


def test_max_clock_skew_takes_a_duration_or_seconds_and_rejects_the_rest() -> None:
    assert max_skew_seconds("500ms") == 0.5
    assert max_skew_seconds("2") == 2.0
    with pytest.raises(InputError, match="--max-clock-skew"):
        max_skew_seconds("soon")
