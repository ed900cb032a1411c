"""Generated documents never make the loader raise anything but chaosml's ValidationError."""

from __future__ import annotations

import json
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chaosml.errors import ValidationError
from chaosml.loader import load_text
from chaosml.testing import registry_with_fakes

REGISTRY = registry_with_fakes()
KEYS = [
    "version",
    "title",
    "method",
    "steady_state",
    "guards",
    "observe",
    "rollbacks",
    "recovery",
    "blast_radius",
    "targets",
    "fault",
    "action",
    "probe",
    "wait",
    "expect_alert",
    "name",
    "expect",
    "http",
    "process",
    "scripted",
    "fake.fault",
    "docker",
    "url",
    "command",
    "duration",
    "every",
    "count",
    "max_percent",
    "min_matches",
    "status",
    "below",
    "between",
    "json",
    "path",
    "vars",
    "secrets",
    "environments",
    "max_duration",
    "within",
    "alerts_resolve",
    "source",
    "labels",
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-10, 10**6),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.sampled_from(["1s", "5 minutes", "${x}", "${env:NOPE}", "-1", "10m"]),
)
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=6)), inner, max_size=5),
    ),
    max_leaves=30,
)
VALID: dict[str, Any] = {
    "version": 1,
    "title": "t",
    "steady_state": [{"name": "p", "scripted": {"values": [1]}, "expect": {"below": 2}}],
    "method": [{"fault": "fake.fault", "id": "a", "duration": "1s"}, {"wait": "1s"}],
    "rollbacks": [{"action": "fake.action"}],
}


def _load(text: str) -> None:
    """Either a usable experiment or located problems with a message each, never a crash."""
    try:
        loaded = load_text(text, "gen.yaml", registry=REGISTRY, environ={})
    except ValidationError as exc:
        assert exc.problems and all(p.message for p in exc.problems)
    else:
        assert loaded.experiment.title and loaded.experiment.method


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_any_document_yields_a_model_or_a_validation_error(doc: Any) -> None:
    _load(yaml.safe_dump(doc))
    _load(json.dumps(doc, default=str))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_text_yields_a_model_or_a_validation_error(text: str) -> None:
    _load(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["version", "title", "steady_state", "method", "rollbacks"]), documents)
def test_a_valid_experiment_with_one_part_replaced(key: str, value: Any) -> None:
    _load(yaml.safe_dump({**VALID, key: value}))


@settings(max_examples=200, deadline=None)
@given(
    st.integers(0, 2000),
    st.sampled_from(["\t", ":", "-", "{", "]", "'", "\n", "  ", "&a", "*a", "!!python/object"]),
)
def test_a_valid_file_with_a_character_inserted(position: int, char: str) -> None:
    text = yaml.safe_dump(VALID)
    position = min(position, len(text))
    _load(text[:position] + char + text[position:])
