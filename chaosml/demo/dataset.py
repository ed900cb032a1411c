"""A generated credit-default dataset: the demo model's training data and serving feed.

``python -m chaosml.demo.dataset --out features.csv --rows 500 --seed 2`` writes a serving feed.
"""

from __future__ import annotations

import argparse
import csv
import math
import random
from dataclasses import dataclass
from pathlib import Path

from chaosml.demo.schema import FEATURE_NAMES

# The "true" relationship the model learns (per standardised feature).
_TRUE_BIAS = -1.0
_TRUE_WEIGHTS = {
    "age": -0.4,
    "income": -0.8,
    "tenure_months": -0.5,
    "txn_count_30d": -0.2,
    "debt_ratio": 1.1,
}


@dataclass(frozen=True)
class Row:
    entity_id: int
    features: dict[str, float]
    label: int


def generate_features(rng: random.Random) -> dict[str, float]:
    """One entity's feature vector, every value inside the schema's range."""
    return {
        "age": round(min(90.0, max(18.0, rng.gauss(42, 12))), 1),
        "income": round(min(900_000.0, rng.lognormvariate(10.8, 0.5)), 2),
        "tenure_months": float(rng.randint(0, 240)),
        "txn_count_30d": float(max(0, round(rng.gauss(30, 10)))),
        "debt_ratio": round(min(9.5, rng.gammavariate(2.0, 0.18)), 3),
    }


def _true_probability(features: dict[str, float]) -> float:
    z = (
        _TRUE_BIAS
        + _TRUE_WEIGHTS["age"] * (features["age"] - 42) / 12
        + _TRUE_WEIGHTS["income"] * (math.log(features["income"]) - 10.8) / 0.5
        + _TRUE_WEIGHTS["tenure_months"] * (features["tenure_months"] - 120) / 69
        + _TRUE_WEIGHTS["txn_count_30d"] * (features["txn_count_30d"] - 30) / 10
        + _TRUE_WEIGHTS["debt_ratio"] * (features["debt_ratio"] - 0.36) / 0.25
    )
    return 1.0 / (1.0 + math.exp(-z))


def generate(rows: int, seed: int) -> list[Row]:
    """``rows`` labelled rows, deterministic for a seed."""
    rng = random.Random(seed)
    out = []
    for entity_id in range(rows):
        features = generate_features(rng)
        label = int(rng.random() < _true_probability(features))
        out.append(Row(entity_id, features, label))
    return out


def write_csv(rows: list[Row], path: Path) -> None:
    """The serving feed format: ``entity_id`` then one column per feature (no label)."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["entity_id", *FEATURE_NAMES])
        for row in rows:
            writer.writerow([row.entity_id, *(row.features[name] for name in FEATURE_NAMES)])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write a generated serving feed as CSV.")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--rows", type=int, default=500)
    parser.add_argument("--seed", type=int, default=2)
    args = parser.parse_args(argv)
    write_csv(generate(args.rows, args.seed), args.out)


if __name__ == "__main__":
    main()
