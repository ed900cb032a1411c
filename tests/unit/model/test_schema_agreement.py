"""``chaosml schema`` and the loader agree (issue 12 §4): a standard JSON Schema validator
(jsonschema, Draft 2020-12) accepts every shipped experiment the loader accepts, and rejects
every broken test file the loader rejects — except the checks a JSON Schema cannot express,
each listed here with the reason (they are made by the loader, and by ``validate``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from chaosml.drivers.registry import default_registry
from chaosml.errors import ValidationError
from chaosml.loader import load_file, load_source
from chaosml.model.schema import experiment_schema
from chaosml.yaml_source import read_source
from tests.unit.model.test_shipped_experiments import EXPERIMENTS, ROOT

BROKEN = sorted((ROOT / "tests" / "data" / "broken").iterdir())
VALIDATOR = jsonschema.Draft202012Validator(experiment_schema(default_registry()))
LOADER_ONLY = {  # broken files whose problem no JSON Schema can state, and why
    "any-line-pattern.yaml": "a regex that matches every command line (a safety check)",
    "bad-pattern.yaml": "a regex that does not compile",
    "over-budget.yaml": "the longest possible run exceeds max_duration (a sum over the file)",
    "overlong-duration.yaml": "a duration string longer than a week (a value, not a shape)",
    "shell-string.yaml": "a command string without shell: true (a rule across two keys)",
    "undeclared-target.yaml": "a step names a target the blast radius does not declare",
    "substitution-bomb.yaml": "${...} substitution runs before the schema applies",
    "unset-env.yaml": "${env:NAME} substitution runs before the schema applies",
    "hold-longer-than-within.yaml": "recovery.hold < recovery.within compares two durations",
}


def _problems(document: Any) -> list[str]:
    errors = sorted(VALIDATOR.iter_errors(document), key=lambda e: list(e.absolute_path))
    return [f"{list(e.absolute_path)}: {e.message[:200]}" for e in errors]


@pytest.mark.parametrize("path", EXPERIMENTS, ids=[str(p.relative_to(ROOT)) for p in EXPERIMENTS])
def test_the_schema_accepts_every_shipped_experiment(path: Path) -> None:
    loaded = load_file(path, environ=os.environ)  # the substituted document, as the loader sees it
    assert not _problems(loaded.raw)


def _parsed(path: Path) -> Any:
    """The document, or None when chaosml cannot even read it (then no schema applies)."""
    try:
        return read_source(path).data
    except ValidationError:
        return None


@pytest.mark.parametrize("path", BROKEN, ids=[p.name for p in BROKEN])
def test_the_schema_rejects_what_the_loader_rejects(path: Path) -> None:
    document = _parsed(path)
    if document is None:  # a YAML/JSON/limits problem: the loader's reader refuses it
        return
    with pytest.raises(ValidationError):
        load_source(read_source(path), environ={})
    if path.name in LOADER_ONLY:
        assert not _problems(document), f"{path.name}: the schema states it now: drop it here"
        return
    assert _problems(document), f"{path.name}: the schema accepts what the loader rejects"


def test_every_loader_only_exception_is_still_a_broken_file() -> None:
    names = {p.name for p in BROKEN}
    assert set(LOADER_ONLY) <= names
