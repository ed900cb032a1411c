"""The file checks `run` makes are `validate`'s too (one function): located at load time, and
repeated by the blast-radius phase for an experiment built without the loader."""

from __future__ import annotations

import pytest

from chaosml.engine.blast_radius import check_static
from chaosml.engine.state import RunOptions
from chaosml.errors import RefusedError, ValidationError
from chaosml.loader import load_text
from chaosml.testing import registry_with_fakes

REGISTRY = registry_with_fakes()
HEAD = "version: 1\ntitle: t\n"


def test_longest_possible_duration_over_max_duration_is_a_located_problem() -> None:
    text = HEAD + "blast_radius: {max_duration: 1m}\nmethod:\n  - wait: 2m\n"
    with pytest.raises(ValidationError) as caught:
        load_text(text, "exp.yaml", registry=REGISTRY)
    assert "exp.yaml:3:" in caught.value.message
    assert "can take up to 2m, above max_duration 1m" in caught.value.message


def test_a_step_naming_an_undeclared_target_is_a_located_problem() -> None:
    text = HEAD + "method:\n  - probe: {name: p, docker: {target: model}}\n"
    with pytest.raises(ValidationError) as caught:
        load_text(text, "exp.yaml", registry=REGISTRY)
    assert "exp.yaml:4:" in caught.value.message
    assert "target 'model' is not declared in blast_radius.targets" in caught.value.message


def test_the_blast_radius_repeats_the_same_checks(tmp_path) -> None:  # type: ignore[no-untyped-def]
    loaded = load_text(HEAD + "method:\n  - wait: 2m\n", "exp.yaml", registry=REGISTRY)
    radius = loaded.experiment.blast_radius.model_copy(update={"max_duration": 60.0})
    built = loaded.experiment.model_copy(update={"blast_radius": radius})
    with pytest.raises(RefusedError, match="above max_duration 1m"):
        check_static(built, RunOptions(halt_file=tmp_path / "HALT"))
