"""The plot of a sensitivity search as inline SVG: every trial as a dot at its value (fired up,
silent down) on the search's log or linear axis, the bracket of the boundary shaded.

Pure: the search's trials and result in, an ``<svg>`` string out (like svg_timeline.py).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

WIDTH, HEIGHT = 900, 220
LEFT, RIGHT, TOP, BOTTOM = 60, 20, 30, 40
FIRED, SILENT, BRACKET = "#d9480f", "#1c5fb8", "#fdf3e1"


@dataclass(frozen=True)
class Axis:
    low: float
    high: float
    log: bool

    def x(self, value: float) -> float:
        lo, hi, v = self.low, self.high, min(max(value, self.low), self.high)
        if self.log:
            lo, hi, v = math.log(lo), math.log(hi), math.log(v)
        share = (v - lo) / ((hi - lo) or 1.0)
        return LEFT + (WIDTH - LEFT - RIGHT) * share


def render_search_plot(
    start: dict[str, Any], trials: Sequence[dict[str, Any]], result: dict[str, Any] | None
) -> str:
    axis = Axis(float(start["low"]), float(start["high"]), start.get("scale") == "log")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'role="img" aria-label="sensitivity search of {escape(str(start["alert"]))}">',
        *_bracket(axis, result),
        *_axis(axis, str(start["param"]), str(start.get("scale"))),
        *(_dot(axis, t) for t in trials),
        "</svg>",
    ]
    return "\n".join(parts)


def _bracket(axis: Axis, result: dict[str, Any] | None) -> list[str]:
    if not result or result.get("low_fires") is None:
        return []
    right = axis.x(float(result["low_fires"]))
    silent = result.get("high_silent")
    left = axis.x(float(silent)) if silent is not None else LEFT
    return [
        f'<rect x="{left:.1f}" y="{TOP}" width="{max(right - left, 2):.1f}" '
        f'height="{HEIGHT - TOP - BOTTOM}" fill="{BRACKET}"><title>boundary</title></rect>'
    ]


def _axis(axis: Axis, param: str, scale: str) -> list[str]:
    base = HEIGHT - BOTTOM
    lines = [
        f'<line x1="{LEFT}" y1="{base}" x2="{WIDTH - RIGHT}" y2="{base}" stroke="#555"/>',
        f'<text x="{LEFT - 8}" y="{TOP + 10}" text-anchor="end" font-size="11">fired</text>',
        f'<text x="{LEFT - 8}" y="{base - 10}" text-anchor="end" font-size="11">silent</text>',
        f'<text x="{WIDTH / 2}" y="{HEIGHT - 6}" text-anchor="middle" font-size="12">'
        f"{escape(param)} ({escape(scale)} scale)</text>",
    ]
    for value in _ticks(axis):
        x = axis.x(value)
        lines.append(f'<line x1="{x:.1f}" y1="{base}" x2="{x:.1f}" y2="{base + 4}" stroke="#555"/>')
        lines.append(
            f'<text x="{x:.1f}" y="{base + 16}" text-anchor="middle" '
            f'font-size="10">{value:g}</text>'
        )
    return lines


def _ticks(axis: Axis, count: int = 6) -> list[float]:
    if axis.log:
        ratio = (axis.high / axis.low) ** (1 / (count - 1))
        return [float(f"{axis.low * ratio**i:.3g}") for i in range(count)]
    step = (axis.high - axis.low) / (count - 1)
    return [float(f"{axis.low + step * i:.3g}") for i in range(count)]


def _dot(axis: Axis, trial: dict[str, Any]) -> str:
    fired = bool(trial.get("fired"))
    y = TOP + 16 if fired else HEIGHT - BOTTOM - 16
    colour = FIRED if fired else SILENT
    ttd = trial.get("time_to_detect_s")
    note = f", detected in {ttd:g}s" if isinstance(ttd, int | float) else ""
    title = f"trial {trial.get('index')}: {trial.get('value'):g} {'fired' if fired else 'silent'}"
    return (
        f'<circle cx="{axis.x(float(trial["value"])):.1f}" cy="{y}" r="5" fill="{colour}">'
        f"<title>{escape(title + note)}</title></circle>"
    )
