"""Feature validation: the data invariants the model server checks on every request.

Each problem is a ``(feature, reason)`` pair; reasons are the values of
``model_invalid_features_total{reason}``:

- ``missing``: a schema feature is absent; ``unexpected``: a field not in the schema
- ``null``: the value is null/empty; ``type``: not a number (a string, a boolean, ...)
- ``nan``: NaN; ``inf``: +/-Infinity
- ``out_of_range``: outside the schema's ``[min, max]``
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from chaosml.demo.schema import FeatureSpec

PER_FEATURE_REASONS = ("missing", "null", "type", "nan", "inf", "out_of_range")
REASONS: tuple[str, ...] = (*PER_FEATURE_REASONS, "unexpected")


@dataclass(frozen=True)
class Problem:
    feature: str
    reason: str


@dataclass(frozen=True)
class Checked:
    """The valid values, and what was wrong with the rest."""

    valid: dict[str, float]
    problems: tuple[Problem, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return not self.problems

    def invalid_features(self) -> list[str]:
        return sorted({p.feature for p in self.problems if p.reason != "unexpected"})


def value_problem(spec: FeatureSpec, value: Any) -> str | None:
    """Why ``value`` is not a valid ``spec`` value, or None when it is."""
    if value is None:
        return "null"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "type"
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf"
    if not spec.low <= value <= spec.high:
        return "out_of_range"
    return None


def check(schema: tuple[FeatureSpec, ...], features: Any) -> Checked:
    """Validate a ``features`` object from the feature service against ``schema``."""
    if not isinstance(features, dict):
        return Checked({}, tuple(Problem(spec.name, "missing") for spec in schema))
    valid: dict[str, float] = {}
    problems: list[Problem] = []
    for spec in schema:
        reason = (
            "missing" if spec.name not in features else value_problem(spec, features[spec.name])
        )
        if reason:
            problems.append(Problem(spec.name, reason))
        else:
            valid[spec.name] = float(features[spec.name])
    known = {spec.name for spec in schema}
    problems.extend(Problem(str(name), "unexpected") for name in features if name not in known)
    return Checked(valid, tuple(problems))


def impute(checked: Checked, fallback: dict[str, float]) -> dict[str, float]:
    """A complete vector: the valid values, the training mean for the invalid ones."""
    return {**fallback, **checked.valid}
