"""Durations as written in experiments: ``500ms``, ``10s``, ``2m``, ``1h`` (and combinations)."""

from __future__ import annotations

import math
import re

from chaosml import redaction

_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)")
WHOLE_PATTERN = r"^\s*(?:\d+(?:\.\d+)?(?:ms|s|m|h))+\s*$"  # also the JSON Schema's pattern
_WHOLE = re.compile(r"^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$")
MAX_SECONDS = 7 * 24 * 3600.0  # a week: longer is a typo, and the clocks and timers overflow


def parse_duration(text: str | int | float) -> float:
    """Seconds in a duration (a bare number is seconds); ValueError names the accepted forms."""
    if isinstance(text, bool):
        raise ValueError("expected a duration like 500ms, 10s, 2m or 1h, got a boolean")
    if isinstance(text, int | float):
        if text < 0:
            raise ValueError(f"a duration cannot be negative: {text}")
        return _bounded(float(min(text, MAX_SECONDS * 2)), text)  # a huge int overflows float
    compact = text.strip()
    if not _WHOLE.match(compact):
        raise ValueError(
            f"expected a duration like 500ms, 10s, 2m or 1h, got {redaction.clip(text, 40)!r}"
        )
    return _bounded(sum(float(n) * _UNIT_SECONDS[u] for n, u in _PART.findall(compact)), text)


def _bounded(seconds: float, written: str | int | float) -> float:
    """``seconds`` unless it is NaN, infinite or longer than MAX_SECONDS (ValueError)."""
    if math.isfinite(seconds) and seconds <= MAX_SECONDS:
        return seconds
    shown = str(written) if len(str(written)) <= 40 else str(written)[:37] + "..."
    raise ValueError(f"a duration must be finite and at most 168h (a week), got {shown}")


def format_duration(seconds: float) -> str:
    """A short human form: 0.25 -> '250ms', 90 -> '1m30s'."""
    if seconds < 1:
        return f"{round(seconds * 1000)}ms"
    if seconds < 60:
        return f"{seconds:.3g}s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}m{rest}s" if rest else f"{minutes}m"
