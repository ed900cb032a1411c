"""The demo model artifact: logistic-regression weights plus the training-time baseline.

Stored as JSON (``data/model.json``)::

    {"name", "version", "trained_at": ISO-8601 UTC, "features": [...],
     "schema": {feature: {unit, min, max}}, "weights": {feature: w}, "bias": b,
     "baseline": {"feature_mean": {...}, "feature_std": {...}, "prediction_mean": p, "rows": n},
     "dependencies": {"feature-service": "1.0.0"}, "training": {...}}

Weights apply to standardised features: ``z = (x - mean) / std`` with the baseline statistics.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from chaosml.demo.schema import FeatureSpec, specs_from_json

SHIPPED_MODEL = Path(__file__).parent / "data" / "model.json"


@dataclass(frozen=True)
class Baseline:
    """Training-time statistics serving data is compared with (training/serving skew)."""

    feature_mean: dict[str, float]
    feature_std: dict[str, float]
    prediction_mean: float
    rows: int


@dataclass(frozen=True)
class ModelArtifact:
    name: str
    version: str
    trained_at: datetime
    schema: tuple[FeatureSpec, ...]
    weights: dict[str, float]
    bias: float
    baseline: Baseline
    dependencies: dict[str, str] = field(default_factory=dict)
    training: dict[str, Any] = field(default_factory=dict)

    @property
    def feature_names(self) -> tuple[str, ...]:
        return tuple(spec.name for spec in self.schema)

    def score(self, features: dict[str, float]) -> float:
        """The predicted probability for a complete, valid feature vector."""
        z = self.bias + sum(
            self.weights[name] * self.standardise(name, features[name])
            for name in self.feature_names
        )
        return sigmoid(z)

    def standardise(self, name: str, value: float) -> float:
        std = self.baseline.feature_std[name] or 1.0
        return (value - self.baseline.feature_mean[name]) / std

    def with_trained_at(self, when: datetime) -> ModelArtifact:
        return replace(self, trained_at=when)


def sigmoid(z: float) -> float:
    """The logistic function, without overflow for large ``|z|``."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    ez = math.exp(z)
    return ez / (1.0 + ez)


def to_json(model: ModelArtifact) -> dict[str, Any]:
    return {
        "name": model.name,
        "version": model.version,
        "trained_at": model.trained_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "features": list(model.feature_names),
        "schema": {spec.name: spec.to_json() for spec in model.schema},
        "weights": model.weights,
        "bias": model.bias,
        "baseline": {
            "feature_mean": model.baseline.feature_mean,
            "feature_std": model.baseline.feature_std,
            "prediction_mean": model.baseline.prediction_mean,
            "rows": model.baseline.rows,
        },
        "dependencies": model.dependencies,
        "training": model.training,
    }


def from_json(raw: dict[str, Any]) -> ModelArtifact:
    baseline = raw["baseline"]
    return ModelArtifact(
        name=str(raw["name"]),
        version=str(raw["version"]),
        trained_at=parse_timestamp(str(raw["trained_at"])),
        schema=specs_from_json(raw["schema"]),
        weights={k: float(v) for k, v in raw["weights"].items()},
        bias=float(raw["bias"]),
        baseline=Baseline(
            feature_mean={k: float(v) for k, v in baseline["feature_mean"].items()},
            feature_std={k: float(v) for k, v in baseline["feature_std"].items()},
            prediction_mean=float(baseline["prediction_mean"]),
            rows=int(baseline["rows"]),
        ),
        dependencies={k: str(v) for k, v in raw.get("dependencies", {}).items()},
        training=dict(raw.get("training", {})),
    )


def parse_timestamp(text: str) -> datetime:
    """An ISO-8601 timestamp; a missing zone means UTC."""
    when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def load(path: Path) -> ModelArtifact:
    with path.open(encoding="utf-8") as handle:
        return from_json(json.load(handle))


def save(model: ModelArtifact, path: Path) -> None:
    """Write atomically (a reader never sees half a file)."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(to_json(model), indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)
