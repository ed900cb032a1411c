"""A trial's experiment: only the searched parameter changes (validated by the fault's own
model), the journaled experiment shows the value, and the searched step may have no effect."""

from __future__ import annotations

import textwrap

import pytest
from pydantic import ValidationError

from chaosml.loader import load_text
from chaosml.model import experiment as m
from chaosml.model.loaded import Loaded
from chaosml.sensitivity.trial import with_value
from chaosml.testing import registry_with_fakes

EXP = """
version: 1
title: t
method:
  - fault: feed.corrupt
    proxy: {api: "http://127.0.0.1:1", name: features}
    mode: nan
    fields: ["$.features.age"]
    percent: 50
  - expect_alert:
      name: NaNFeatures
      source: {prometheus: "http://127.0.0.1:1"}
sensitivity: {step: 0, param: percent, low: 0.5, high: 50, alert: NaNFeatures}
"""


def loaded() -> Loaded:
    return load_text(textwrap.dedent(EXP), "exp.yaml", registry=registry_with_fakes())


def test_only_the_searched_parameter_changes_and_the_journal_shows_it() -> None:
    original = loaded()
    spec = original.experiment.sensitivity
    assert spec is not None
    trial = with_value(original, spec, 1.581)
    step = trial.experiment.method[0]
    assert isinstance(step, m.FaultStep)
    assert step.params.percent == 1.581  # type: ignore[attr-defined]
    assert step.params.mode == "nan" and step.allow_no_effect  # type: ignore[attr-defined]
    assert trial.raw["method"][0]["percent"] == 1.581
    assert original.raw["method"][0]["percent"] == 50  # the loaded experiment is untouched
    assert trial.experiment.method[1] == original.experiment.method[1]


def test_a_value_the_fault_refuses_is_refused_by_its_own_model() -> None:
    original = loaded()
    spec = original.experiment.sensitivity
    assert spec is not None
    with pytest.raises(ValidationError, match="less than or equal to 100"):
        with_value(original, spec, 150.0)
