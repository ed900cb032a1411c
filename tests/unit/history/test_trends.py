"""Regressions judged on the newest run of each alert and drill (chaosml.history.trends)."""

from __future__ import annotations

from chaosml.history.records import AlertResult, RunRecord, SensitivityRecord
from chaosml.history.trends import BOUNDARY, SLOWER, STOPPED_FIRING, build_view


def runs(times: list[float | None], title: str = "drill", tested: bool = True) -> list[RunRecord]:
    return [
        RunRecord(
            run_id=f"{title}-{i}",
            title=title,
            status="completed",
            exit_code=0,
            started_at=1000.0 + i,
            alerts=(AlertResult("A", t is not None, tested, t),),
        )
        for i, t in enumerate(times)
    ]


def search(i: int, low: float | None, uncertainty: float = 0.5) -> SensitivityRecord:
    return SensitivityRecord(
        f"s{i}", "drill", "A", "percent", "log", low, None, uncertainty, 5, 60.0, 1000.0 + i
    )


def kinds(times: list[float | None], **kw: object) -> list[str]:
    return [r.kind for r in build_view(runs(times, **kw), []).regressions]  # type: ignore[arg-type]


def test_slower_than_twice_the_median_of_the_runs_before() -> None:
    assert kinds([1.0, 1.0, 1.0, 2.1]) == [SLOWER]
    assert kinds([1.0, 1.0, 1.0, 2.0]) == []  # exactly 2x is not above it


def test_the_median_is_over_the_last_ten_fired_runs() -> None:
    old_slow = [10.0] * 5
    assert kinds([*old_slow, *[1.0] * 10, 2.5]) == [SLOWER]  # the old slow runs are out
    assert kinds([*old_slow, *[1.0] * 5, 2.5]) == []  # median of 10, 10, …, 1, 1: 5.5


def test_too_few_runs_flag_no_slowdown() -> None:
    assert kinds([1.0, 1.0, 30.0]) == []


def test_stopped_firing_needs_an_earlier_firing() -> None:
    assert kinds([1.0, None]) == [STOPPED_FIRING]
    assert kinds([None, None]) == []
    assert kinds([1.0, None, 1.0]) == []  # fires again: no regression now


def test_untested_alerts_are_not_judged() -> None:
    assert kinds([1.0, None], tested=False) == []


def test_series_are_per_alert_and_drill() -> None:
    view = build_view([*runs([1.0, 1.0, 1.0], "a"), *runs([9.0], "b")], [])
    assert [(s.alert, s.title, len(s.points)) for s in view.series] == [
        ("A", "a", 3),
        ("A", "b", 1),
    ]
    assert view.regressions == []


def test_boundary_moved_the_wrong_way_beyond_its_uncertainty() -> None:
    def flagged(*searches: SensitivityRecord) -> list[str]:
        return [r.kind for r in build_view([], list(searches)).regressions]

    assert flagged(search(0, 2.0), search(1, 2.4)) == []
    assert flagged(search(0, 2.0), search(1, 2.6)) == [BOUNDARY]
    assert flagged(search(0, 2.0), search(1, None)) == [BOUNDARY]
    assert flagged(search(0, 5.0), search(1, 1.0)) == []  # more sensitive: better
