"""What a corruption does: mode, fields, share of records, seed and the mode's own knob."""

from __future__ import annotations

from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator

from chaosml.feed.paths import parse_path

Mode = Literal[
    "nan",
    "null",
    "drop_field",
    "rename_field",
    "scale",
    "noise",
    "shuffle",
    "stale",
    "type_flip",
    "out_of_range",
]
MODES: tuple[str, ...] = get_args(Mode)


class CorruptionSpec(BaseModel):
    """One corruption. ``percent`` is the share of records changed (each record drawn with the
    seeded random generator); ``factor``, ``sigma``, ``value`` and ``to`` tune their modes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mode: Mode
    fields: tuple[str, ...] = Field(min_length=1)
    percent: float = Field(default=100.0, ge=0, le=100)
    seed: int = 0
    factor: float = 1000.0  # scale
    sigma: float = 1.0  # noise
    value: Any = 1e9  # out_of_range
    to: str | None = None  # rename_field: the new name (default <name>_renamed)

    @field_validator("fields", mode="before")
    @classmethod
    def _one_or_many(cls, raw: Any) -> Any:
        return (raw,) if isinstance(raw, str) else raw

    @field_validator("fields")
    @classmethod
    def _paths_parse(cls, fields: tuple[str, ...]) -> tuple[str, ...]:
        for path in fields:
            parse_path(path)
        return fields
