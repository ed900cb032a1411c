"""The bad model artifacts the ``model.swap`` drills put in place of the served model.

``python -m chaosml.demo.bad_models --out DIR`` writes (the stack writes them to
``<work dir>/models/`` at start):

- ``model-2020.json``: the same model, ``trained_at`` 2020-01-01 — an ancient artifact (M4).
- ``model-nan.json``: a bias of NaN, so every score is NaN — a numerically broken model (M5).
- ``model-shifted.json``: trained on data whose ``debt_ratio`` was a quarter of today's (a unit
  change upstream of training): on live data its mean score moves from about 0.29 to about
  0.78, away from its own training baseline (M7).
"""

from __future__ import annotations

import argparse
import math
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from chaosml.demo import model as artifact
from chaosml.demo.dataset import Row, generate
from chaosml.demo.train import train

STALE_AT = datetime(2020, 1, 1, tzinfo=UTC)
SHIFT = ("debt_ratio", 0.25)


def bad_models(good: artifact.ModelArtifact) -> dict[str, artifact.ModelArtifact]:
    return {
        "model-2020.json": good.with_trained_at(STALE_AT),
        "model-nan.json": replace(good, bias=math.nan),
        "model-shifted.json": train(data=[_shifted(row) for row in generate(1000, 1)]),
    }


def _shifted(row: Row) -> Row:
    name, factor = SHIFT
    return replace(row, features={**row.features, name: row.features[name] * factor})


def write_bad_models(good: artifact.ModelArtifact, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, model in bad_models(good).items():
        artifact.save(model, out / name)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write the demo's bad model artifacts.")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    write_bad_models(train(), args.out)
    print(f"wrote the bad models to {args.out}")


if __name__ == "__main__":
    main()
