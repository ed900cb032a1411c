"""The model server's segments: the slice of customers a request belongs to (by age band).

Per-segment counts let a rule catch what a global share hides: a feed broken for one segment
only (``feed.corrupt`` with ``where:``) stays under the global threshold.
"""

from __future__ import annotations

from typing import Any

AGE_BANDS = ((65.0, "65+"), (50.0, "50-64"), (30.0, "30-49"), (0.0, "18-29"))
SEGMENTS = (*(name for _, name in AGE_BANDS), "unknown")


def segment_of(features: Any) -> str:
    """The age band of a feature vector (``unknown`` without a usable age)."""
    age = features.get("age") if isinstance(features, dict) else None
    if isinstance(age, bool) or not isinstance(age, int | float) or age != age:
        return "unknown"
    return next(name for low, name in AGE_BANDS if age >= low) if age >= 0 else "unknown"
