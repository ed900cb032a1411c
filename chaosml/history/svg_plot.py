"""A small inline-SVG line plot for the history page: one value per run or search, oldest on the
left; a missing value (the alert did not fire) is a red cross at the top."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from chaosml import escape

WIDTH, HEIGHT, PAD = 560, 150, 34


@dataclass(frozen=True)
class PlotPoint:
    tip: str  # shown on hover
    value: float | None


def line_plot(points: Sequence[PlotPoint], label: str, unit: str = "") -> str:
    known = [p.value for p in points if p.value is not None]
    top = (max(known) if known and max(known) > 0 else 1.0) * 1.15
    step = (WIDTH - 2 * PAD) / max(1, len(points) - 1)
    marks, line = [], []
    for i, p in enumerate(points):
        x = PAD + i * step
        if p.value is None:
            marks.append(f"<text x='{x:.1f}' y='{PAD - 8}' fill='#c92a2a' font-size='14'>✗</text>")
            continue
        y = HEIGHT - PAD - p.value / top * (HEIGHT - 2 * PAD)
        line.append(f"{x:.1f},{y:.1f}")
        tip = escape.html(p.tip)
        marks.append(
            f"<circle cx='{x:.1f}' cy='{y:.1f}' r='3' fill='#1c7ed6'><title>{tip}</title></circle>"
        )
    path = f"<polyline fill='none' stroke='#1c7ed6' points='{' '.join(line)}'/>" if line else ""
    return (
        f"<svg class='timeline' width='{WIDTH}' height='{HEIGHT}' viewBox='0 0 {WIDTH} {HEIGHT}' "
        f"role='img' aria-label='{escape.html(label)}'>"
        f"{_axis(top, unit)}{path}{''.join(marks)}</svg>"
    )


def _axis(top: float, unit: str) -> str:
    return (
        f"<line class='axis' x1='{PAD}' y1='{HEIGHT - PAD}' x2='{WIDTH - PAD}' "
        f"y2='{HEIGHT - PAD}'/>"
        f"<text class='tick' x='2' y='{HEIGHT - PAD}'>0{unit}</text>"
        f"<text class='tick' x='2' y='{PAD + 4}'>{top:.3g}{unit}</text>"
    )
