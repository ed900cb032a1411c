"""``chaosml history`` in a terminal: runs over time, a time-to-detect sparkline per alert, the
sensitivity boundary per alert, the silent-failure cells, and the regressions."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from chaosml import escape
from chaosml.history.formatting import (
    alerts_text,
    cell_counts,
    cells_text,
    counts_text,
    notify_sparkline,
    number,
    seconds,
    series_sparkline,
    when,
)
from chaosml.history.trends import AlertSeries, BoundarySeries, HistoryView

RUNS_SHOWN = 20
T = TypeVar("T")


def render_text(view: HistoryView, store: str) -> str:
    lines = [_headline(view, store), ""]
    lines += _runs(view)
    lines += _series(view)
    lines += _boundaries(view)
    lines += _cells(view)
    lines += _regressions(view)
    return escape.plain("\n".join(lines)) + "\n"


def _headline(view: HistoryView, store: str) -> str:
    drills = len({r.drill_id for r in view.runs if r.drill_id})
    return (
        f"Drill history in {store}: {len(view.runs)} run(s), {drills} game day(s), "
        f"{len(view.searches)} sensitivity search(es)"
    )


def _runs(view: HistoryView) -> list[str]:
    shown = view.runs[-RUNS_SHOWN:]
    if not shown:
        return ["No run recorded yet: chaosml run records each run; chaosml history import DIR", ""]
    lines = [f"Runs (newest {len(shown)}, oldest first)"]
    for r in shown:
        code = "-" if r.exit_code is None else str(r.exit_code)
        flag = " REGRESSION" if view.regressions_of(r.run_id) else ""
        lines.append(
            f"  {when(r.started_at)}  {r.status:<19} {code:>3}  {r.run_id}  {r.title}"
            f"  [{alerts_text(r)}]{flag}"
        )
    return [*lines, ""]


def _section(heading: str, items: Sequence[T], lines_of: Callable[[T], list[str]]) -> list[str]:
    """``heading``, the lines of each item and a blank line; nothing when there is no item."""
    if not items:
        return []
    return [heading, *(line for item in items for line in lines_of(item)), ""]


def _series(view: HistoryView) -> list[str]:
    heading = "Time to detect per alert (oldest → newest; ✗ = did not fire)"
    return _section(heading, view.series, _one_series)


def _one_series(s: AlertSeries) -> list[str]:
    last = s.points[-1]
    lines = [
        f"  {s.alert:<24} {series_sparkline(s)}  last {seconds(last.time_to_detect_s)}"
        f"  median {seconds(s.median_s)}  fired {s.fired}/{len(s.points)}  ({s.title})"
    ]
    if s.notify_times:
        lines.append(
            f"  {'  paged':<24} {notify_sparkline(s)}  last "
            f"{seconds(last.time_to_notify_s)}  median {seconds(s.notify_median_s)}"
        )
    return lines


def _boundaries(view: HistoryView) -> list[str]:
    heading = "Sensitivity boundary per alert (smallest value that fires, oldest → newest)"
    return _section(heading, view.boundaries, _boundary)


def _boundary(b: BoundarySeries) -> list[str]:
    values = " → ".join(number(s.low_fires) for s in b.searches)
    newest = b.searches[-1]
    return [
        f"  {b.alert:<24} {b.param} ({newest.scale}): {values}"
        f"  ± {number(newest.uncertainty)}  ({b.title})"
    ]


def _cells(view: HistoryView) -> list[str]:
    counts = cell_counts(view.runs)
    if not counts:
        return []
    lines = ["Silent-failure matrix (runs per cell)"]
    lines += [f"  {alert:<24} {counts_text(cells)}" for alert, cells in counts.items()]
    latest = [r for r in view.runs if r.classifications][-1]
    lines.append(f"  newest: {latest.run_id}: {cells_text(latest)}")
    return [*lines, ""]


def _regressions(view: HistoryView) -> list[str]:
    if not view.regressions:
        return ["No regression."]
    lines = [f"Regressions ({len(view.regressions)})"]
    lines += [f"  ✗ {r.kind}: {r.message}" for r in view.regressions]
    return lines
