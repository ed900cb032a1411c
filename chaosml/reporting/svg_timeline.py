"""The timeline plot of a run as inline SVG: one panel per observed metric on a shared time
axis, the phases as bands, fault windows shaded red, alert fired/resolved marks.

Pure: a RunReport in, an ``<svg>`` string out. No external resources, so the HTML report stays
one self-contained file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from chaosml.reporting.journal_reader import RunReport, SamplePoint

WIDTH = 1100
LEFT = 70
RIGHT = 20
PANEL_HEIGHT = 150
PANEL_GAP = 34
TOP = 30
AXIS = 34
PHASE_COLOURS = {
    "blast-radius": "#eef2f7",
    "steady-state-before": "#e8f4ea",
    "method": "#fdf3e1",
    "rollback": "#eeeaf7",
    "recovery": "#e6f1fa",
}
FAULT_FILL = "#e5484d"
FIRED = "#d9480f"
RESOLVED = "#2b8a3e"
LINE = "#1c5fb8"
MAX_DOTS = 300  # per line; above that only the polyline is drawn


@dataclass(frozen=True)
class Scale:
    """Maps run time (mono seconds) and one metric's values onto panel pixels."""

    t_end: float
    lo: float
    hi: float
    top: float

    def x(self, t: float) -> float:
        span = self.t_end if self.t_end > 0 else 1.0
        return LEFT + (WIDTH - LEFT - RIGHT) * min(max(t, 0.0), span) / span

    def y(self, v: float) -> float:
        span = (self.hi - self.lo) or 1.0
        return self.top + PANEL_HEIGHT - PANEL_HEIGHT * (v - self.lo) / span


def render_timeline(report: RunReport) -> str:
    """The whole plot, one panel per observed metric; "" when no metric was observed (an empty
    chart would only show axes)."""
    metrics = [(name, points) for name, points in report.timeline.items() if points]
    if not metrics:
        return ""
    height = TOP + len(metrics) * (PANEL_HEIGHT + PANEL_GAP) + AXIS
    t_end = max(report.end_mono, _last_time(report), 0.001)
    panels = [
        _panel(report, name, points, Scale(t_end, *_value_range(points), _panel_top(i)))
        for i, (name, points) in enumerate(metrics)
    ]
    axis_y = _panel_top(len(metrics) - 1) + PANEL_HEIGHT + 4
    body = "".join(panels) + _time_axis(Scale(t_end, 0, 1, 0), axis_y)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" width="{WIDTH}" '
        f'height="{height}" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="timeline of {escape(report.title)}">'
        f"{_legend()}{body}</svg>"
    )


def _panel_top(index: int) -> float:
    return TOP + index * (PANEL_HEIGHT + PANEL_GAP) + 16


def _last_time(report: RunReport) -> float:
    times = [p.at for points in report.timeline.values() for p in points]
    times += [f.end or f.start or 0.0 for f in report.faults]
    return max(times, default=0.0)


def _value_range(points: Sequence[SamplePoint]) -> tuple[float, float]:
    values = [p.value for p in points if p.value is not None]
    if not values:
        return 0.0, 1.0
    lo, hi = min(values), max(values)
    if lo == hi:
        return lo - 1.0, hi + 1.0
    pad = (hi - lo) * 0.08
    return (0.0 if lo >= 0 and lo - pad < 0 else lo - pad), hi + pad


def _panel(report: RunReport, name: str, points: Sequence[SamplePoint], s: Scale) -> str:
    parts = [
        f'<g class="panel" data-metric="{escape(name)}">',
        f'<text x="{LEFT}" y="{s.top - 5:.1f}" class="metric-name">{escape(name)}</text>',
        _phase_bands(report, s),
        _fault_windows(report, s),
        _frame(s),
        _series(points, s),
        _errors(points, s),
        _alert_marks(report, s),
        "</g>",
    ]
    return "".join(parts)


def _phase_bands(report: RunReport, s: Scale) -> str:
    out = []
    for phase in report.phases:
        x0, x1 = s.x(phase.start), s.x(phase.end)
        colour = PHASE_COLOURS.get(phase.name, "#f4f4f4")
        out.append(
            f'<rect class="phase" data-phase="{escape(phase.name)}" x="{x0:.1f}" y="{s.top}" '
            f'width="{max(x1 - x0, 0.5):.1f}" height="{PANEL_HEIGHT}" fill="{colour}">'
            f"<title>{escape(phase.name)}</title></rect>"
        )
        if x1 - x0 > 60:
            out.append(
                f'<text x="{x0 + 4:.1f}" y="{s.top + PANEL_HEIGHT - 4}" class="phase-label">'
                f"{escape(phase.name)}</text>"
            )
    return "".join(out)


def _fault_windows(report: RunReport, s: Scale) -> str:
    out = []
    for fault in report.faults:
        if fault.start is None:
            continue
        end = fault.end if fault.end is not None else s.t_end
        x0, x1 = s.x(fault.start), s.x(end)
        label = f"{fault.name} ({fault.fault})" if fault.name != fault.fault else fault.fault
        out.append(
            f'<rect class="fault-window" x="{x0:.1f}" y="{s.top}" width="{max(x1 - x0, 2):.1f}" '
            f'height="{PANEL_HEIGHT}" fill="{FAULT_FILL}" fill-opacity="0.22" '
            f'stroke="{FAULT_FILL}" stroke-opacity="0.6"><title>{escape(label)}</title></rect>'
            f'<text x="{x0 + 3:.1f}" y="{s.top + 12}" class="fault-label">{escape(label)}</text>'
        )
    return "".join(out)


def _frame(s: Scale) -> str:
    ticks = []
    for i in range(5):
        v = s.lo + (s.hi - s.lo) * i / 4
        y = s.y(v)
        ticks.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" class="tick" text-anchor="end">{v:.3g}</text>'
        )
    return (
        "".join(ticks) + f'<rect x="{LEFT}" y="{s.top}" width="{WIDTH - LEFT - RIGHT}" '
        f'height="{PANEL_HEIGHT}" class="frame"/>'
    )


def _series(points: Sequence[SamplePoint], s: Scale) -> str:
    """A polyline per run of readable values; a failed read breaks the line."""
    runs: list[list[SamplePoint]] = [[]]
    for p in points:
        if p.value is None:
            runs.append([])
        else:
            runs[-1].append(p)
    out = []
    for run in (r for r in runs if r):
        coords = " ".join(f"{s.x(p.at):.1f},{s.y(p.value or 0.0):.1f}" for p in run)
        out.append(
            f'<polyline class="series" points="{coords}" fill="none" stroke="{LINE}" '
            'stroke-width="2"/>'
        )
        if len(run) > MAX_DOTS:
            continue  # a long run: the line alone, or the page grows by a dot per sample
        out += [
            f'<circle cx="{s.x(p.at):.1f}" cy="{s.y(p.value or 0.0):.1f}" r="2.5" fill="{LINE}">'
            f"<title>t={p.at:.2f}s {p.value:.4g}</title></circle>"
            for p in run
        ]
    return "".join(out)


def _errors(points: Sequence[SamplePoint], s: Scale) -> str:
    return "".join(
        f'<text x="{s.x(p.at):.1f}" y="{s.top + PANEL_HEIGHT - 14}" class="read-error" '
        f'text-anchor="middle">&#215;<title>{escape(p.error or "no value")}</title></text>'
        for p in points
        if p.value is None
    )


def _alert_marks(report: RunReport, s: Scale) -> str:
    out = []
    for alert in report.alerts:
        if alert.fired_at is not None:
            label = f"{alert.name} fired"
            out.append(_mark(s, alert.fired_at, FIRED, label, "alert-fired", 40))
        if alert.resolved_at is not None:
            label = f"{alert.name} resolved"
            out.append(_mark(s, alert.resolved_at, RESOLVED, label, "alert-resolved", 58))
    return "".join(out)


def _mark(s: Scale, at: float, colour: str, label: str, css: str, label_y: float) -> str:
    x = s.x(at)
    near_right = x > WIDTH - RIGHT - 180
    text_x, anchor = (x - 4, "end") if near_right else (x + 4, "start")
    return (
        f'<g class="{css}"><line x1="{x:.1f}" x2="{x:.1f}" y1="{s.top}" '
        f'y2="{s.top + PANEL_HEIGHT}" stroke="{colour}" stroke-width="2" stroke-dasharray="5,3"/>'
        f'<polygon points="{x - 5:.1f},{s.top} {x + 5:.1f},{s.top} {x:.1f},{s.top + 8}" '
        f'fill="{colour}"/><text x="{text_x:.1f}" y="{s.top + label_y}" fill="{colour}" '
        f'text-anchor="{anchor}" class="mark-label">{escape(label)}</text>'
        f"<title>{escape(label)} at t={at:.2f}s</title></g>"
    )


def _time_axis(s: Scale, y: float) -> str:
    out = [f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y}" y2="{y}" class="axis"/>']
    for i in range(11):
        t = s.t_end * i / 10
        x = s.x(t)
        out.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y}" y2="{y + 4}" class="axis"/>'
            f'<text x="{x:.1f}" y="{y + 16}" class="tick" text-anchor="middle">{t:.3g}s</text>'
        )
    return "".join(out)


def _legend() -> str:
    items = [
        (FAULT_FILL, "fault active", 'fill-opacity="0.3"'),
        (FIRED, "alert fired", ""),
        (RESOLVED, "alert resolved", ""),
        (LINE, "observed value", ""),
    ]
    out, x = [], LEFT
    for colour, label, extra in items:
        out.append(
            f'<rect x="{x}" y="6" width="14" height="12" fill="{colour}" {extra}/>'
            f'<text x="{x + 19}" y="16" class="legend">{escape(label)}</text>'
        )
        x += 140
    return '<g class="legend">' + "".join(out) + "</g>"
