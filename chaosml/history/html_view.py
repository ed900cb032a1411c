"""``chaosml history --html PATH``: a self-contained page with a time-to-detect plot per alert
(inline SVG, no script), the sensitivity boundaries, the runs and the regressions."""

from __future__ import annotations

from chaosml import escape
from chaosml.history.formatting import alerts_text, cell_counts, counts_text, number, seconds, when
from chaosml.history.svg_plot import PlotPoint, line_plot
from chaosml.history.trends import AlertSeries, BoundarySeries, HistoryView
from chaosml.reporting.html import CSS
from chaosml.reporting.html import _table as table  # the reports' one table helper


def render_html(view: HistoryView, store: str) -> str:
    body = [
        f"<h1>Drill history</h1><p class='muted'>{escape.html(store)}: {len(view.runs)} runs, "
        f"{len(view.searches)} sensitivity searches</p>",
        _regressions(view),
        "<h2>Time to detect per alert</h2>",
        *(_series(s) for s in view.series),
        _boundaries(view),
        _cells(view),
        _runs(view),
    ]
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>chaosml drill history</title>"
        f"<style>{CSS}</style></head><body>{''.join(body)}</body></html>\n"
    )


def _regressions(view: HistoryView) -> str:
    if not view.regressions:
        return "<p><span class='badge good'>no regression</span></p>"
    items = "".join(
        f"<li><b>{escape.html(r.kind)}</b>: {escape.html(r.message)}</li>" for r in view.regressions
    )
    badge = f"<span class='badge bad'>{len(view.regressions)} regression(s)</span>"
    return f"<h2>{badge}</h2><ul>{items}</ul>"


def _series(series: AlertSeries) -> str:
    title = f"{escape.html(series.alert)} <span class='muted'>({escape.html(series.title)})</span>"
    stats = f"median {seconds(series.median_s)}, fired {series.fired}/{len(series.points)}"
    return f"<h3>{title}</h3><p class='muted'>{stats}</p>{ttd_plot(series)}"


def ttd_plot(series: AlertSeries) -> str:
    """Time to detect per run; a run where the alert did not fire is a red cross."""
    points = [
        PlotPoint(
            f"{p.run_id} {when(p.started_at)}: {seconds(p.time_to_detect_s)}", p.time_to_detect_s
        )
        for p in series.points
    ]
    return line_plot(points, f"time to detect of {series.alert}", "s")


def boundary_plot(series: BoundarySeries) -> str:
    """The smallest value that fired, per search; a search where none fired is a red cross."""
    points = [
        PlotPoint(f"{s.search_id} {when(s.started_at)}: {number(s.low_fires)}", s.low_fires)
        for s in series.searches
    ]
    return line_plot(points, f"sensitivity boundary of {series.alert}")


def _boundaries(view: HistoryView) -> str:
    if not view.boundaries:
        return ""
    rows = [
        (
            escape.html(b.alert),
            escape.html(b.title),
            escape.html(b.param),
            " → ".join(number(s.low_fires) for s in b.searches),
            number(b.searches[-1].uncertainty),
        )
        for b in view.boundaries
    ]
    head = ("alert", "drill", "parameter", "boundary over time", "uncertainty")
    plots = "".join(
        f"<h3>{escape.html(b.alert)} {escape.html(b.param)}</h3>{boundary_plot(b)}"
        for b in view.boundaries
    )
    return "<h2>Sensitivity boundary per alert</h2>" + table(head, rows) + plots


def _cells(view: HistoryView) -> str:
    counts = cell_counts(view.runs)
    if not counts:
        return ""
    rows = [(escape.html(alert), counts_text(cells)) for alert, cells in counts.items()]
    return "<h2>Silent-failure matrix</h2>" + table(("alert", "runs per cell"), rows)


def _runs(view: HistoryView) -> str:
    rows = [
        (
            when(r.started_at),
            f"<code>{escape.html(r.run_id)}</code>",
            escape.html(r.title),
            escape.html(r.status),
            "—" if r.exit_code is None else str(r.exit_code),
            escape.html(alerts_text(r)),
        )
        for r in reversed(view.runs)
    ]
    head = ("started (UTC)", "run", "drill", "status", "exit", "alerts")
    return "<h2>Runs (newest first)</h2>" + table(head, rows)
