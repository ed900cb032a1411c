"""Train the demo model: logistic regression by batch gradient descent, no numpy needed.

``python -m chaosml.demo.train --out model.json [--trained-at 2020-01-01T00:00:00Z]``

Training is deterministic for a seed, so retraining changes nothing but ``trained_at`` — which
is how the model-staleness drill ages the model (and how its undo makes it fresh again).
"""

from __future__ import annotations

import argparse
import math
import statistics
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from chaosml.demo import model as artifact
from chaosml.demo.dataset import Row, generate
from chaosml.demo.schema import FEATURE_NAMES, FEATURES

FEATURE_SERVICE_VERSION = "1.0.0"


def feature_stats(rows: list[Row]) -> tuple[dict[str, float], dict[str, float]]:
    """Per-feature mean and (population) standard deviation."""
    mean = {n: statistics.fmean(r.features[n] for r in rows) for n in FEATURE_NAMES}
    std = {n: statistics.pstdev([r.features[n] for r in rows], mean[n]) for n in FEATURE_NAMES}
    return mean, std


def fit(
    matrix: list[list[float]], labels: list[int], epochs: int, rate: float
) -> tuple[list[float], float]:
    """Weights and bias minimising the log loss on standardised ``matrix``."""
    weights = [0.0] * len(matrix[0])
    bias = 0.0
    n = len(matrix)
    for _ in range(epochs):
        grad_w = [0.0] * len(weights)
        grad_b = 0.0
        for x, y in zip(matrix, labels, strict=True):
            err = artifact.sigmoid(bias + sum(w * v for w, v in zip(weights, x, strict=True))) - y
            grad_b += err
            for i, v in enumerate(x):
                grad_w[i] += err * v
        weights = [w - rate * g / n for w, g in zip(weights, grad_w, strict=True)]
        bias -= rate * grad_b / n
    return weights, bias


def train(
    rows: int = 1000,
    seed: int = 1,
    epochs: int = 150,
    rate: float = 1.0,
    data: list[Row] | None = None,
) -> artifact.ModelArtifact:
    """A fitted model with its training baseline, ``trained_at`` now (on ``data`` when given,
    else on ``rows`` generated rows)."""
    data = data if data is not None else generate(rows, seed)
    mean, std = feature_stats(data)
    matrix = [[(r.features[n] - mean[n]) / std[n] for n in FEATURE_NAMES] for r in data]
    labels = [r.label for r in data]
    weights, bias = fit(matrix, labels, epochs, rate)
    draft = artifact.ModelArtifact(
        name="credit-default",
        version="1.0.0",
        trained_at=datetime.now(UTC),
        schema=FEATURES,
        weights=dict(zip(FEATURE_NAMES, weights, strict=True)),
        bias=bias,
        baseline=artifact.Baseline(mean, std, 0.0, len(data)),
        dependencies={"feature-service": FEATURE_SERVICE_VERSION},
    )
    return _with_training_report(draft, data)


def _with_training_report(model: artifact.ModelArtifact, data: list[Row]) -> artifact.ModelArtifact:
    scores = [model.score(r.features) for r in data]
    log_loss = -statistics.fmean(
        math.log(s) if r.label else math.log(1.0 - s) for s, r in zip(scores, data, strict=True)
    )
    accuracy = statistics.fmean(
        int((s >= 0.5) == bool(r.label)) for s, r in zip(scores, data, strict=True)
    )
    baseline = artifact.Baseline(
        model.baseline.feature_mean,
        model.baseline.feature_std,
        round(statistics.fmean(scores), 6),
        len(data),
    )
    report = {"rows": len(data), "log_loss": round(log_loss, 4), "accuracy": round(accuracy, 4)}
    return replace(model, baseline=baseline, training=report)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Train the chaosml demo model.")
    parser.add_argument("--out", type=Path, default=artifact.SHIPPED_MODEL)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--trained-at", help="ISO-8601 time to record instead of now")
    args = parser.parse_args(argv)
    model = train(seed=args.seed)
    if args.trained_at:
        model = model.with_trained_at(artifact.parse_timestamp(args.trained_at))
    artifact.save(model, args.out)
    print(f"wrote {args.out}: {model.training}")


if __name__ == "__main__":
    main()
