from __future__ import annotations

import pytest

from chaosml.contract.sample import Sample
from chaosml.model.expectations import Expect, evaluate, json_path


def expect(**kwargs: object) -> Expect:
    return Expect.model_validate(kwargs)


@pytest.mark.parametrize(
    ("spec", "sample", "ok"),
    [
        ({"status": 200}, Sample(status=200), True),
        ({"status": [200, 204]}, Sample(status=503), False),
        ({"below": 0.25}, Sample(value=0.2), True),
        ({"below": 0.25}, Sample(value=0.3), False),
        ({"above": 1}, Sample(value=2), True),
        ({"between": [0, 1]}, Sample(value=1.5), False),
        ({"equals": "running"}, Sample(value="running"), True),
        ({"regex": "^ok"}, Sample(value="ok fine"), True),
        ({"contains": "fine"}, Sample(value="not good"), False),
        ({"exit_code": 0}, Sample(exit_code=1), False),
        ({"json": {"path": "$.score", "between": [0, 1]}}, Sample(json={"score": 0.4}), True),
        (
            {"json": {"path": "$.items[1].x", "equals": 2}},
            Sample(json={"items": [{"x": 1}, {"x": 2}]}),
            True,
        ),
        ({"json": {"path": "$.missing", "equals": 2}}, Sample(json={}), False),
        ({"below": 1}, Sample(value="not a number"), False),
        ({"below": 1}, Sample(value=float("nan")), False),
        ({}, Sample(status=500), False),
        ({}, Sample(exit_code=0), True),
    ],
)
def test_expectations(spec: dict[str, object], sample: Sample, ok: bool) -> None:
    reason = evaluate(expect(**spec), sample)
    assert (reason is None) is ok, reason


def test_baseline() -> None:
    rule = expect(within_percent_of_baseline=20)
    assert evaluate(rule, Sample(value=0.11), baseline=0.1) is None
    assert "within 20%" in (evaluate(rule, Sample(value=0.2), baseline=0.1) or "")
    assert "baseline" in (evaluate(rule, Sample(value=0.2), baseline=None) or "")


def test_reasons_say_what_was_seen() -> None:
    assert evaluate(expect(status=200), Sample(status=503)) == "status 503, expected 200"
    assert evaluate(expect(below=0.25), Sample(value=0.4)) == "0.4 is not below 0.25"


def test_json_path_forms() -> None:
    doc = {"a": {"b-c": [10, 20]}, "k": {"x y": 1}}
    assert json_path(doc, "$.a.b-c[-1]") == (True, 20)
    assert json_path(doc, "$['k']['x y']") == (True, 1)
    assert json_path(doc, "$.a.nope") == (False, None)
