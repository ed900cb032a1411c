"""The example stack's labelled canary set: entities of the serving feed with their true label,
as many defaults (1) as non-defaults (0), so that a model that always answers one class scores
50%. ``python -m chaosml.demo.canary --out canary.jsonl`` writes it (the shipped copy is
``chaosml/demo/data/canary.jsonl``); the ``canary`` probe sends it through ``/predict``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from chaosml.demo.dataset import generate

FEED_ROWS, FEED_SEED = 500, 2  # the serving feed (chaosml/demo/data/features.csv)
PER_CLASS = 100
CANARY_FILE = Path(__file__).parent / "data" / "canary.jsonl"


def canary_lines(per_class: int = PER_CLASS) -> list[str]:
    rows = generate(FEED_ROWS, FEED_SEED)
    chosen = [r for r in rows if r.label][:per_class] + [r for r in rows if not r.label][:per_class]
    chosen.sort(key=lambda r: r.entity_id)
    return [json.dumps({"request": {"entity_id": r.entity_id}, "label": r.label}) for r in chosen]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write the labelled canary set as JSON lines.")
    parser.add_argument("--out", type=Path, default=CANARY_FILE)
    parser.add_argument("--per-class", type=int, default=PER_CLASS)
    args = parser.parse_args(argv)
    args.out.write_text("\n".join(canary_lines(args.per_class)) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
