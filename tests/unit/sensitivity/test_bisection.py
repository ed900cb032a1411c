"""The boundary search as pure logic, on a VirtualClock: no sleeps, no services."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from chaosml.model.sensitivity import Sensitivity
from chaosml.sensitivity.bisection import Bisection, Boundary, SearchStopped
from chaosml.testing import VirtualClock

TRIAL_S = 30.0  # what one complete run takes on the virtual clock


def spec(**fields: object) -> Sensitivity:
    base: dict[str, object] = {"step": 0, "param": "percent", "low": 0.5, "high": 50}
    return Sensitivity.model_validate({**base, "alert": "NaNFeatures", **fields})


def search(s: Sensitivity, fires: Callable[[float], bool]) -> tuple[Boundary, list[float], float]:
    clock = VirtualClock()
    tried: list[float] = []

    async def trial(value: float) -> bool:
        tried.append(value)
        await clock.sleep(TRIAL_S)
        return fires(value)

    boundary = asyncio.run(Bisection(s, trial, clock).run())
    return boundary, tried, clock.monotonic()


def test_a_sharp_threshold_is_bracketed_within_the_tolerance_on_a_log_scale() -> None:
    boundary, tried, _ = search(spec(tolerance=0.1, max_trials=30), lambda v: v >= 3.7)
    assert boundary.how == "found"
    assert boundary.low_fires is not None and boundary.high_silent is not None
    assert boundary.high_silent < 3.7 <= boundary.low_fires
    assert boundary.low_fires / boundary.high_silent - 1 <= 0.1
    assert tried[:2] == [50, 0.5]  # the high bound first, then the low one
    assert boundary.estimate is not None and boundary.uncertainty is not None
    assert abs(boundary.estimate - 3.7) <= boundary.uncertainty


def test_a_linear_scale_bisects_arithmetically() -> None:
    s = spec(param="latency", low=0.0, high=0.6, scale="linear", tolerance=0.02, max_trials=30)
    boundary, tried, _ = search(s, lambda v: v > 0.245)
    assert tried[2] == pytest.approx(0.3)  # the arithmetic middle of 0 and 0.6
    assert boundary.how == "found"
    assert boundary.high_silent is not None and boundary.low_fires is not None
    assert boundary.low_fires - boundary.high_silent <= 0.02
    assert boundary.high_silent <= 0.245 < boundary.low_fires


def test_silent_at_the_high_bound_is_not_detected_after_one_trial() -> None:
    boundary, tried, _ = search(spec(), lambda v: False)
    assert boundary.how == "not-detected" and boundary.low_fires is None
    assert tried == [50]


def test_firing_at_the_low_bound_reports_the_low_bound_and_no_silent_value() -> None:
    boundary, tried, _ = search(spec(), lambda v: True)
    assert (boundary.how, boundary.low_fires, boundary.high_silent) == ("fires-at-low", 0.5, None)
    assert boundary.uncertainty is None
    assert tried == [50, 0.5]


def test_the_trial_budget_ends_the_search_with_the_bracket_so_far() -> None:
    boundary, tried, _ = search(spec(max_trials=4, tolerance=0.001), lambda v: v >= 3.7)
    assert boundary.how == "budget" and len(tried) == 4 == boundary.trials
    assert boundary.high_silent is not None and boundary.low_fires is not None
    assert boundary.high_silent < 3.7 <= boundary.low_fires


def test_the_time_budget_ends_the_search_on_the_virtual_clock() -> None:
    s = spec(max_trials=100, tolerance=0.001, max_time="2m")
    boundary, tried, elapsed = search(s, lambda v: v >= 3.7)
    assert boundary.how == "budget"
    assert len(tried) == 4 and elapsed == 4 * TRIAL_S  # 120 s spent: no fifth trial


def test_repeated_trials_decide_a_point_by_majority() -> None:
    below_high = iter([True, False, False, True, True, False])  # at 0.5, then at 5

    def noisy(value: float) -> bool:
        return next(below_high) if value < 50 else True

    boundary, tried, _ = search(spec(trials_per_point=3, max_trials=9), noisy)
    assert tried == [50] * 3 + [0.5] * 3 + [5] * 3
    assert [p.fires for p in boundary.points] == [True, False, True]  # 1 of 3 silent, 2 of 3 fire
    assert (boundary.how, boundary.low_fires, boundary.high_silent) == ("budget", 5, 0.5)


def test_a_stopped_trial_ends_the_search_and_keeps_what_was_decided() -> None:
    def stop_at_third(value: float) -> bool:
        if value not in (50, 0.5):
            raise SearchStopped("interrupted by SIGINT")
        return value >= 3.7

    boundary, _, _ = search(spec(), stop_at_third)
    assert boundary.how == "stopped" and boundary.trials == 2
    assert (boundary.low_fires, boundary.high_silent) == (50, 0.5)
