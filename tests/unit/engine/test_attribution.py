"""Which alert instance counts as this fault's detection, over activeAt/fault orderings."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chaosml.engine.attribution import (
    ALREADY_ACTIVE,
    BEFORE_FAULT,
    OTHER_TARGET,
    Instance,
    Timeline,
    attribute,
    time_to_detect,
)

FIRING = {"firing"}
STEADY, FAULT = 100.0, 105.0
A = {"alertname": "Down", "instance": "a:9100"}
B = {"alertname": "Down", "instance": "b:9100"}
ON_A = [{"instance": "a:9100"}]


def firing(active_at: float | None, labels: dict[str, str] = A, state: str = "firing") -> Instance:
    return Instance(labels, state, active_at)


@pytest.mark.parametrize(
    ("active_at", "counts", "why"),
    [
        (90.0, False, ALREADY_ACTIVE),  # active before the steady-state check
        (100.0, False, "after the steady-state check"),  # at the check, before the fault
        (103.0, False, "after the steady-state check"),  # between the check and the fault
        (104.999, False, BEFORE_FAULT),
        (105.0, True, None),  # at the fault: counts, time to detect 0
        (106.2, True, None),
        (None, False, "no start time"),
    ],
)
def test_an_instance_counts_only_when_it_started_at_or_after_the_fault(
    active_at: float | None, counts: bool, why: str | None
) -> None:
    result = attribute([firing(active_at)], FIRING, Timeline(FAULT, STEADY))
    assert (result.counted is not None) is counts
    if why is not None:
        assert why in result.rejected[0][1]


def test_between_the_check_and_the_fault_is_reported_as_started_before_the_fault() -> None:
    result = attribute([firing(103.0)], FIRING, Timeline(FAULT, STEADY))
    assert result.rejected[0][1] == f"{BEFORE_FAULT} (by 2.000s, after the steady-state check)"


def test_pending_does_not_count_when_firing_is_wanted() -> None:
    result = attribute([firing(106.0, state="pending")], FIRING, Timeline(FAULT, STEADY))
    assert result.counted is None
    assert "not yet firing (state pending)" in result.rejected[0][1]


def test_no_fault_before_the_expectation_counts_nothing() -> None:
    result = attribute([firing(106.0)], FIRING, Timeline(None, STEADY))
    assert result.counted is None


def test_match_target_counts_only_the_faulted_instance() -> None:
    result = attribute([firing(106.0, B), firing(107.0, A)], FIRING, Timeline(FAULT), ON_A)
    assert result.counted is not None and result.counted.labels == A
    [(other, why)] = result.rejected
    assert other.labels == B
    assert why.startswith(OTHER_TARGET) and "instance='b:9100'" in why and "a:9100" in why


def test_match_target_with_only_another_instance_firing_counts_nothing() -> None:
    result = attribute([firing(106.0, B)], FIRING, Timeline(FAULT), ON_A)
    assert result.counted is None


def test_the_earliest_qualifying_instance_counts() -> None:
    result = attribute([firing(108.0, B), firing(106.0, A)], FIRING, Timeline(FAULT))
    assert result.counted is not None and result.counted.active_at == 106.0


def test_allow_already_firing_counts_an_old_instance_unproven() -> None:
    result = attribute([firing(90.0)], FIRING, Timeline(FAULT, STEADY), allow_already_firing=True)
    assert result.counted is not None and result.proven is False
    assert result.rejected == []
    assert time_to_detect(result.counted, result.proven, FAULT) is None


def test_allow_already_firing_prefers_a_proven_instance() -> None:
    instances = [firing(90.0, B), firing(106.0, A)]
    result = attribute(instances, FIRING, Timeline(FAULT, STEADY), allow_already_firing=True)
    assert result.counted is not None and result.counted.labels == A and result.proven


def test_allow_already_firing_never_counts_another_target() -> None:
    result = attribute(
        [firing(90.0, B)], FIRING, Timeline(FAULT, STEADY), ON_A, allow_already_firing=True
    )
    assert result.counted is None


times = st.floats(min_value=0, max_value=1e4, allow_nan=False)


@given(
    fault=times,
    steady_before=st.floats(min_value=0, max_value=100, allow_nan=False),
    starts=st.lists(st.one_of(st.none(), times), max_size=6),
)
def test_time_to_detect_is_never_negative_and_counted_never_predates_the_fault(
    fault: float, steady_before: float, starts: list[float | None]
) -> None:
    instances = [firing(s, {"alertname": "Down", "i": str(n)}) for n, s in enumerate(starts)]
    result = attribute(instances, FIRING, Timeline(fault, fault - steady_before))
    assert len(result.rejected) + (result.counted is not None) == len(instances)
    if result.counted is not None:
        assert result.proven
        assert result.counted.active_at is not None and result.counted.active_at >= fault
        ttd = time_to_detect(result.counted, True, fault)
        assert ttd is not None and ttd >= 0
        qualifying = [s for s in starts if s is not None and s >= fault]
        assert result.counted.active_at == min(qualifying)
    else:
        assert all(s is None or s < fault for s in starts)


def test_an_instance_started_while_the_fault_was_being_applied_counts() -> None:
    # docker.kill took 0.46 s on a loaded CI machine; the alert went active 0.29 s before the
    # kill call returned: the fault did it, and its time to detect is 0, never negative
    timeline = Timeline(FAULT, STEADY, began_wall=FAULT - 0.46)
    result = attribute([firing(FAULT - 0.287)], FIRING, timeline)
    assert result.counted is not None and result.proven
    assert time_to_detect(result.counted, result.proven, timeline.fault_wall) == 0.0


def test_an_instance_started_before_the_apply_began_is_still_too_early() -> None:
    result = attribute(
        [firing(FAULT - 0.5)], FIRING, Timeline(FAULT, STEADY, began_wall=FAULT - 0.46)
    )
    assert result.counted is None
    assert result.rejected[0][1] == f"{BEFORE_FAULT} (by 0.500s, after the steady-state check)"
