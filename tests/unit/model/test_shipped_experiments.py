"""Every YAML file in experiments/, examples/ and docs/ parses, and every experiment among them
validates. A file that does not parse fails here (it is not skipped as "not an experiment")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from chaosml.loader import load_file

ROOT = Path(__file__).parents[3]
FOLDERS = ("experiments", "examples", "docs")


def shipped_yaml(root: Path = ROOT) -> list[Path]:
    return [p for folder in FOLDERS for p in sorted((root / folder).rglob("*.y*ml"))]


def documents(path: Path) -> list[Any]:
    """The YAML documents of ``path`` (a Kubernetes manifest may hold several)."""
    return list(yaml.safe_load_all(path.read_text()))


def parse_problem(path: Path) -> str | None:
    """Why ``path`` is not valid YAML (with the line and column), or None."""
    try:
        documents(path)
    except yaml.YAMLError as exc:
        return f"{path}: {exc}"
    return None


def is_experiment(path: Path) -> bool:
    if parse_problem(path) is not None:
        return False
    return any(isinstance(d, dict) and "method" in d and "version" in d for d in documents(path))


YAML_FILES = shipped_yaml()
EXPERIMENTS = [p for p in YAML_FILES if is_experiment(p)]


def test_there_are_shipped_experiments() -> None:
    assert len(EXPERIMENTS) >= 3


@pytest.mark.parametrize("path", YAML_FILES, ids=[str(p.relative_to(ROOT)) for p in YAML_FILES])
def test_shipped_yaml_parses(path: Path) -> None:
    assert parse_problem(path) is None


def test_a_file_that_does_not_parse_is_reported_with_its_line(tmp_path: Path) -> None:
    broken = tmp_path / "experiments" / "broken.yaml"
    broken.parent.mkdir()
    broken.write_text("version: 1\nmethod:\n  - fault: x\n   probe: [unclosed\n")
    assert shipped_yaml(tmp_path) == [broken]
    problem = parse_problem(broken)
    assert problem is not None and str(broken) in problem and "line 4" in problem
    assert not is_experiment(broken)


@pytest.mark.parametrize("path", EXPERIMENTS, ids=[str(p.relative_to(ROOT)) for p in EXPERIMENTS])
def test_experiment_validates(path: Path) -> None:
    loaded = load_file(path, environ={})
    assert loaded.experiment.title
    assert loaded.experiment.description or path.parts[-3] == "docs" or "docs" in path.parts, (
        f"{path}: say in the description what the drill proves"
    )
