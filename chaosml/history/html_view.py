"""``chaosml history --html PATH``: a self-contained page with a time-to-detect plot per alert
(inline SVG, no script), the sensitivity boundaries, the runs and the regressions."""

from __future__ import annotations

from chaosml import escape
from chaosml.history.formatting import (
    alerts_text,
    cell_counts,
    counts_text,
    number,
    seconds,
    when,
)
from chaosml.history.trends import AlertSeries, HistoryView
from chaosml.reporting.html import CSS
from chaosml.reporting.html import _table as table  # the reports' one table helper

WIDTH, HEIGHT, PAD = 560, 150, 34


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
    """Time to detect per run as a line; a run where the alert did not fire is a red cross."""
    times = series.times or [1.0]
    top = max(times) * 1.15
    step = (WIDTH - 2 * PAD) / max(1, len(series.points) - 1)
    marks, line = [], []
    for i, p in enumerate(series.points):
        x = PAD + i * step
        if p.time_to_detect_s is None:
            marks.append(f"<text x='{x:.1f}' y='{PAD - 8}' fill='#c92a2a' font-size='14'>✗</text>")
            continue
        y = HEIGHT - PAD - p.time_to_detect_s / top * (HEIGHT - 2 * PAD)
        line.append(f"{x:.1f},{y:.1f}")
        tip = f"{escape.html(p.run_id)} {when(p.started_at)}: {p.time_to_detect_s:.2f}s"
        marks.append(
            f"<circle cx='{x:.1f}' cy='{y:.1f}' r='3' fill='#1c7ed6'><title>{tip}</title></circle>"
        )
    axis = (
        f"<line class='axis' x1='{PAD}' y1='{HEIGHT - PAD}' x2='{WIDTH - PAD}' "
        f"y2='{HEIGHT - PAD}'/>"
        f"<text class='tick' x='2' y='{HEIGHT - PAD}'>0s</text>"
        f"<text class='tick' x='2' y='{PAD + 4}'>{top:.1f}s</text>"
    )
    path = f"<polyline fill='none' stroke='#1c7ed6' points='{' '.join(line)}'/>" if line else ""
    return (
        f"<svg class='timeline' width='{WIDTH}' height='{HEIGHT}' viewBox='0 0 {WIDTH} {HEIGHT}' "
        f"role='img' aria-label='time to detect of {escape.html(series.alert)}'>"
        f"{axis}{path}{''.join(marks)}</svg>"
    )


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
    return "<h2>Sensitivity boundary per alert</h2>" + table(head, rows)


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
