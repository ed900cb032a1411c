"""Every experiment YAML in experiments/, examples/ and docs/ validates."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from chaosml.loader import load_file

ROOT = Path(__file__).parents[3]


def _experiments() -> list[Path]:
    found = []
    for folder in ("experiments", "examples", "docs"):
        for path in sorted((ROOT / folder).rglob("*.y*ml")):
            try:
                doc = yaml.safe_load(path.read_text())
            except yaml.YAMLError:
                continue
            if isinstance(doc, dict) and "method" in doc and "version" in doc:
                found.append(path)
    return found


EXPERIMENTS = _experiments()


def test_there_are_shipped_experiments() -> None:
    assert len(EXPERIMENTS) >= 3


@pytest.mark.parametrize("path", EXPERIMENTS, ids=[str(p.relative_to(ROOT)) for p in EXPERIMENTS])
def test_experiment_validates(path: Path) -> None:
    loaded = load_file(path, environ={})
    assert loaded.experiment.title
    assert loaded.experiment.description or path.parts[-3] == "docs" or "docs" in path.parts, (
        f"{path}: say in the description what the drill proves"
    )
