"""Field types shared by the experiment model and driver parameter models."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, WithJsonSchema

from chaosml.durations import MAX_SECONDS, WHOLE_PATTERN, parse_duration


def _to_seconds(value: Any) -> float:
    if isinstance(value, str | int | float):
        return parse_duration(value)
    raise ValueError(f"expected a duration like 500ms, 10s, 2m or 1h, got {type(value).__name__}")


DURATION_SCHEMA = {
    "anyOf": [
        {"type": "number", "minimum": 0, "maximum": MAX_SECONDS},
        {"type": "string", "pattern": WHOLE_PATTERN},
    ],
    "description": "a duration: 500ms, 10s, 2m, 1h, 1m30s, or a number of seconds",
}
Duration = Annotated[float, BeforeValidator(_to_seconds), WithJsonSchema(DURATION_SCHEMA)]
"""Seconds, written in an experiment as ``500ms``, ``10s``, ``2m``, ``1h`` or a bare number."""
