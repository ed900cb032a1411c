"""The sections of issue 14 part A: ``sensitivity:`` (the detection-boundary search),
``impact:`` (what harm looks like for users) and ``expect_no_alert:`` (alerts that must stay
quiet). Pure models; the loader validates them and ``sensitivity_problems`` checks them against
the method (docs/sensitivity.md, docs/silent-failures.md)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from chaosml.model.types import Duration


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Sensitivity(_Strict):
    """Which fault parameter to vary, between which bounds, and which alert must notice."""

    step: int = Field(ge=0, description="index of the fault step in the method")
    param: str = Field(min_length=1, description="a numeric parameter of that fault")
    low: float
    high: float
    scale: Literal["log", "linear"] = "log"
    alert: str = Field(min_length=1, description="an alert the method expects (expect_alert)")
    trials_per_point: int = Field(default=1, ge=1, le=20)
    max_trials: int = Field(default=12, ge=2, le=200)
    max_time: Duration = Field(default=1800.0, gt=0)
    tolerance: float = Field(
        default=0.25, gt=0, description="log: relative width high/low - 1; linear: absolute width"
    )
    settle: Duration = Field(
        default=60.0, ge=0, description="how long a trial waits for the steady state to hold"
    )

    @model_validator(mode="after")
    def _bounds(self) -> Sensitivity:
        if self.high <= self.low:
            raise ValueError(f"high ({self.high:g}) must be above low ({self.low:g})")
        if self.scale == "log" and self.low <= 0:
            raise ValueError("a log scale needs low > 0 (use scale: linear for 0)")
        return self


def fault_param_problems(
    spec: Sensitivity, kind: str, fields: dict[str, object], expected_alerts: list[str]
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Problems of ``sensitivity`` given the fault kind at ``step``, its parameter fields and
    their annotations, and the alerts the method expects."""
    if spec.param not in fields:
        shown = ", ".join(sorted(fields))
        yield ("param",), f"'{spec.param}' is not a parameter of {kind} (parameters: {shown})"
    elif not _numeric(fields[spec.param]):
        yield ("param",), f"'{spec.param}' of {kind} is not numeric: only numbers can be searched"
    if spec.alert not in expected_alerts:
        shown = ", ".join(expected_alerts) or "none"
        yield (
            ("alert",),
            f"alert '{spec.alert}' is not expected in the method (expect_alert: {shown})",
        )


def _numeric(annotation: object) -> bool:
    text = str(annotation)
    return any(word in text for word in ("float", "int", "Duration")) and "str" not in text
