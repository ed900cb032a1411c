"""Pure handling of a PromQL answer: parse it into series, pick one series, reduce it to a number.

No I/O here; ``prometheus_driver`` fetches, this module decides what the answer means:

- an empty answer is an error ("query returned no series");
- several series need ``series:`` (a label match) to pick one, else the error lists them;
- NaN points are ignored; an answer that is only NaN is an error that says NaN;
- a range (``window:``) is reduced by ``max``, ``min``, ``avg``, ``last``, ``p50``, ``p95`` or
  ``p99`` (percentiles interpolate linearly between the closest ranks, like numpy's default).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

from chaosml import redaction
from chaosml.errors import ProbeError

Reduce = Literal["max", "min", "avg", "last", "p50", "p95", "p99"]
_SHOWN_SERIES = 10


@dataclass(frozen=True)
class PromSeries:
    """One series of a PromQL answer: its labels and its (timestamp, value) points."""

    labels: dict[str, str]
    points: tuple[tuple[float, float], ...]


def parse_result(result: Any) -> list[PromSeries]:
    """The series in the ``data.result`` of an instant or range query answer."""
    if _is_scalar(result):
        return [PromSeries({}, (_point(result),))]
    if not isinstance(result, list):
        raise ProbeError(f"unexpected answer from Prometheus: {redaction.clip(str(result), 200)}")
    return [_series(item) for item in result]


def _is_scalar(result: Any) -> bool:
    return (
        isinstance(result, list)
        and len(result) == 2
        and isinstance(result[0], int | float)
        and isinstance(result[1], str)
    )


def _series(item: Any) -> PromSeries:
    if not isinstance(item, dict):
        raise ProbeError(
            f"unexpected series in Prometheus answer: {redaction.clip(str(item), 200)}"
        )
    labels = {str(k): str(v) for k, v in item.get("metric", {}).items()}
    if "value" in item:
        return PromSeries(labels, (_point(item["value"]),))
    return PromSeries(labels, tuple(_point(p) for p in item.get("values", [])))


def _point(raw: Any) -> tuple[float, float]:
    try:
        return float(raw[0]), float(raw[1])
    except (TypeError, ValueError, IndexError):
        raise ProbeError(f"Prometheus returned a value that is not a number: {raw!r}") from None


def select_series(series: list[PromSeries], wanted: dict[str, str] | None) -> PromSeries:
    """The one series the probe reads: the only one, or the one matching ``wanted``."""
    if not series:
        raise ProbeError("query returned no series")
    if wanted:
        chosen = [s for s in series if labels_match(s.labels, wanted)]
        if not chosen:
            raise ProbeError(
                f"no series matches series: {format_labels(wanted)}; "
                f"the query returned {_listing(series)}"
            )
        if len(chosen) > 1:
            raise ProbeError(
                f"{len(chosen)} series match series: {format_labels(wanted)}: {_listing(chosen)}; "
                "add labels to series: to pick one"
            )
        return chosen[0]
    if len(series) > 1:
        raise ProbeError(
            f"query returned {len(series)} series: {_listing(series)}; pick one with "
            "series: {label: value} or aggregate in the query (sum, max, ...)"
        )
    return series[0]


def labels_match(labels: dict[str, str], wanted: dict[str, str]) -> bool:
    """True when every wanted label has the wanted value."""
    return all(labels.get(key) == value for key, value in wanted.items())


def format_labels(labels: dict[str, str]) -> str:
    """``{job="api", instance="a:1"}`` — the way PromQL writes a label set."""
    inner = ", ".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    return "{" + inner + "}"


def _listing(series: list[PromSeries]) -> str:
    shown = ", ".join(sorted(format_labels(s.labels) for s in series)[:_SHOWN_SERIES])
    more = len(series) - _SHOWN_SERIES
    return shown + (f" and {more} more" if more > 0 else "")


def reduce_points(points: tuple[tuple[float, float], ...], how: Reduce) -> float:
    """One number out of a series' points; NaN points are ignored."""
    values = [value for _, value in sorted(points) if not math.isnan(value)]
    if not values:
        what = "no points" if not points else "NaN"
        raise ProbeError(f"query returned {what} (NaN comes from e.g. 0/0: a rate over no traffic)")
    if how == "last":
        return values[-1]
    if how == "max":
        return max(values)
    if how == "min":
        return min(values)
    if how == "avg":
        return math.fsum(values) / len(values)
    return percentile(values, float(how[1:]))


def percentile(values: list[float], pct: float) -> float:
    """The ``pct`` percentile of ``values``, interpolating linearly between closest ranks."""
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100.0
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)
