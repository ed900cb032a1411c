"""Trends and regressions over the history (pure: records in, a ``HistoryView`` out).

A series is one alert in one drill (experiment title): the same alert proven by two different
faults is two series, since their times to detect need not agree. Only the points where the run
tested the alert count (the method ran to its verdict and the fault had an effect).

Regressions are judged on the newest point of each series:

- ``stopped-firing``: the alert fired in an earlier run and did not fire in the newest;
- ``slower``: its time to detect is above ``SLOWER_FACTOR`` (2) times the median of the
  ``BASELINE_RUNS`` (10) runs before it that fired (at least ``MIN_BASELINE`` (3) of them);
- ``boundary``: the newest sensitivity search of an alert and parameter needs a larger fault
  to fire than the one before, by more than their stated uncertainty, or fired at no value
  where the one before did.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from chaosml.history.records import RunRecord, SensitivityRecord

SLOWER_FACTOR = 2.0
BASELINE_RUNS = 10
MIN_BASELINE = 3
STOPPED_FIRING = "stopped-firing"
SLOWER = "slower"
SLOWER_NOTIFY = "slower-to-notify"  # the page: time to notify (issue 19)
BOUNDARY = "boundary"


@dataclass(frozen=True)
class DetectionPoint:
    run_id: str
    started_at: float
    fired: bool
    time_to_detect_s: float | None
    time_to_notify_s: float | None = None


@dataclass
class AlertSeries:
    alert: str
    title: str
    points: list[DetectionPoint] = field(default_factory=list)

    @property
    def times(self) -> list[float]:
        return [p.time_to_detect_s for p in self.points if p.time_to_detect_s is not None]

    @property
    def notify_times(self) -> list[float]:
        return [p.time_to_notify_s for p in self.points if p.time_to_notify_s is not None]

    @property
    def notify_median_s(self) -> float | None:
        return statistics.median(self.notify_times) if self.notify_times else None

    @property
    def fired(self) -> int:
        return sum(1 for p in self.points if p.fired)

    @property
    def median_s(self) -> float | None:
        return statistics.median(self.times) if self.times else None


@dataclass
class BoundarySeries:
    alert: str
    title: str
    param: str
    searches: list[SensitivityRecord] = field(default_factory=list)


@dataclass(frozen=True)
class Regression:
    kind: str  # stopped-firing, slower, boundary
    alert: str
    title: str
    record_id: str  # the run or search that regressed
    message: str


@dataclass
class HistoryView:
    runs: list[RunRecord]
    searches: list[SensitivityRecord]
    series: list[AlertSeries]
    boundaries: list[BoundarySeries]
    regressions: list[Regression]

    def regressions_of(self, record_id: str) -> list[Regression]:
        return [r for r in self.regressions if r.record_id == record_id]


def build_view(runs: Sequence[RunRecord], searches: Sequence[SensitivityRecord]) -> HistoryView:
    """The view of runs and searches (each oldest first)."""
    series = alert_series(runs)
    boundaries = boundary_series(searches)
    found = [r for s in series for r in detection_regressions(s)]
    found += [r for b in boundaries for r in boundary_regressions(b)]
    return HistoryView(list(runs), list(searches), series, boundaries, found)


def alert_series(runs: Iterable[RunRecord]) -> list[AlertSeries]:
    by_key: dict[tuple[str, str], AlertSeries] = {}
    for run in runs:
        for result in run.alerts:
            if not result.tested:
                continue
            series = by_key.setdefault(
                (result.alert, run.title), AlertSeries(result.alert, run.title)
            )
            point = DetectionPoint(
                run.run_id,
                run.started_at,
                result.fired,
                result.time_to_detect_s,
                result.time_to_notify_s,
            )
            series.points.append(point)
    return sorted(by_key.values(), key=lambda s: (s.alert, s.title))


def detection_regressions(series: AlertSeries) -> list[Regression]:
    if not series.points:
        return []
    *earlier, newest = series.points
    if not newest.fired:
        return _stopped_firing(series, earlier, newest)
    return _slower(series, earlier, newest, DETECT) + _slower(series, earlier, newest, NOTIFY)


def _stopped_firing(
    series: AlertSeries, earlier: list[DetectionPoint], newest: DetectionPoint
) -> list[Regression]:
    fired_before = [p for p in earlier if p.fired]
    if not fired_before:
        return []
    message = (
        f"{series.alert} fired in {len(fired_before)} earlier run(s) of {series.title!r} "
        f"and did not fire in run {newest.run_id}"
    )
    return [Regression(STOPPED_FIRING, series.alert, series.title, newest.run_id, message)]


@dataclass(frozen=True)
class Measure:
    """Which time a ``slower`` regression compares: to detect, or to notify."""

    kind: str
    verb: str
    read: Callable[[DetectionPoint], float | None]


DETECT = Measure(SLOWER, "detect", lambda p: p.time_to_detect_s)
NOTIFY = Measure(SLOWER_NOTIFY, "notify", lambda p: p.time_to_notify_s)


def _slower(
    series: AlertSeries, earlier: list[DetectionPoint], newest: DetectionPoint, measure: Measure
) -> list[Regression]:
    baseline = [t for t in map(measure.read, earlier) if t is not None][-BASELINE_RUNS:]
    latest = measure.read(newest)
    if latest is None or len(baseline) < MIN_BASELINE:
        return []
    median = statistics.median(baseline)
    if latest <= SLOWER_FACTOR * median:
        return []
    message = (
        f"{series.alert} took {latest:.1f}s to {measure.verb} in run {newest.run_id}, "
        f"above {SLOWER_FACTOR:g}x its median of {median:.1f}s over the {len(baseline)} "
        f"run(s) before"
    )
    return [Regression(measure.kind, series.alert, series.title, newest.run_id, message)]


def boundary_series(searches: Iterable[SensitivityRecord]) -> list[BoundarySeries]:
    by_key: dict[tuple[str, str, str], BoundarySeries] = {}
    for s in searches:
        key = (s.alert, s.title, s.param)
        by_key.setdefault(key, BoundarySeries(s.alert, s.title, s.param)).searches.append(s)
    return sorted(by_key.values(), key=lambda b: (b.alert, b.title, b.param))


def boundary_regressions(series: BoundarySeries) -> list[Regression]:
    if len(series.searches) < 2:
        return []
    before, newest = series.searches[-2], series.searches[-1]
    why = _boundary_worse(before, newest)
    if why is None:
        return []
    message = f"{series.alert} {series.param}: {why} (search {newest.search_id})"
    return [Regression(BOUNDARY, series.alert, series.title, newest.search_id, message)]


def _boundary_worse(before: SensitivityRecord, newest: SensitivityRecord) -> str | None:
    if before.low_fires is None:
        return None
    if newest.low_fires is None:
        return f"fired at {before.low_fires:g} before, now at no value up to the high bound"
    margin = max(before.uncertainty or 0.0, newest.uncertainty or 0.0)
    if newest.low_fires - before.low_fires > margin:
        return (
            f"the smallest value that fires moved from {before.low_fires:g} to "
            f"{newest.low_fires:g} (more than the uncertainty {margin:g})"
        )
    return None
