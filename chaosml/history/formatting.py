"""Small formatting helpers every history view shares: times, seconds, the sparkline, the
summary of a run's alerts and of its silent-failure cells."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime

from chaosml.history.records import RunRecord
from chaosml.history.trends import AlertSeries

BLOCKS = "▁▂▃▄▅▆▇█"
MISSED = "✗"


def when(wall: float) -> str:
    """A UTC timestamp to the second."""
    return datetime.fromtimestamp(wall, UTC).strftime("%Y-%m-%d %H:%M:%S")


def seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}s"


def number(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def sparkline(values: Sequence[float | None]) -> str:
    """One block per value, scaled from the smallest to the largest; ``✗`` where None."""
    known = [v for v in values if v is not None]
    if not known:
        return MISSED * len(values)
    low, high = min(known), max(known)
    span = high - low
    return "".join(
        MISSED if v is None else BLOCKS[0 if span == 0 else round((v - low) / span * 7)]
        for v in values
    )


def series_sparkline(series: AlertSeries) -> str:
    return sparkline([p.time_to_detect_s if p.fired else None for p in series.points])


def notify_sparkline(series: AlertSeries) -> str:
    """Time to notify over the runs (✗: no page measured)."""
    return sparkline([p.time_to_notify_s for p in series.points])


def alerts_text(run: RunRecord) -> str:
    """``VictimDown 1.2s, GaugeHigh not fired`` (untested alerts are said so)."""
    parts = []
    for a in run.alerts:
        state = seconds(a.time_to_detect_s) if a.fired else "not fired"
        parts.append(f"{a.alert} {state if a.tested else 'not tested'}")
    return ", ".join(parts) or "no alert checked"


def cells_text(run: RunRecord) -> str:
    return ", ".join(f"{c.alert}: {c.cell}" for c in run.classifications)


def cell_counts(runs: Sequence[RunRecord]) -> dict[str, Counter[str]]:
    """Per alert, how many runs were classified in each cell of the silent-failure matrix."""
    counts: dict[str, Counter[str]] = {}
    for run in runs:
        for c in run.classifications:
            counts.setdefault(c.alert, Counter())[c.cell] += 1
    return dict(sorted(counts.items()))


def counts_text(cells: Counter[str]) -> str:
    return ", ".join(f"{cell} {n}" for cell, n in sorted(cells.items()))
