"""The demo model's input schema: each feature's name, unit and valid range."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FeatureSpec:
    """One model input: values outside ``[low, high]`` are invalid (``out_of_range``)."""

    name: str
    unit: str
    low: float
    high: float

    def to_json(self) -> dict[str, object]:
        return {"unit": self.unit, "min": self.low, "max": self.high}


FEATURES: tuple[FeatureSpec, ...] = (
    FeatureSpec("age", "years", 18.0, 100.0),
    FeatureSpec("income", "USD per year", 0.0, 1_000_000.0),
    FeatureSpec("tenure_months", "months", 0.0, 600.0),
    FeatureSpec("txn_count_30d", "transactions", 0.0, 5_000.0),
    FeatureSpec("debt_ratio", "ratio", 0.0, 10.0),
)

FEATURE_NAMES: tuple[str, ...] = tuple(spec.name for spec in FEATURES)


def specs_from_json(raw: dict[str, dict[str, float]]) -> tuple[FeatureSpec, ...]:
    """The schema as stored in a model artifact."""
    return tuple(
        FeatureSpec(name, str(spec.get("unit", "")), float(spec["min"]), float(spec["max"]))
        for name, spec in raw.items()
    )
