"""Probe ``canary``: accuracy of a labelled canary set sent through a real HTTP endpoint on
127.0.0.1; an error answer counts as a wrong prediction; a bad set file is an input error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chaosml.contract.context import DriverContext
from chaosml.drivers.canary_probe import CanaryParams, CanaryProbe
from chaosml.errors import InputError
from chaosml.loader import load_text
from tests.fixtures.http_servers import QuietHandler, serving


class Model(QuietHandler):
    """Scores even entities 0.9 and odd ones 0.1; entity 3 fails with 500."""

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        entity = int(body["entity_id"])
        if entity == 3:
            self.reply_json(500, {"error": "boom"})
        else:
            self.reply_json(200, {"score": 0.9 if entity % 2 == 0 else 0.1})


def canary_set(tmp_path: Path, labels: list[int]) -> Path:
    path = tmp_path / "canary.jsonl"
    lines = [json.dumps({"request": {"entity_id": i}, "label": y}) for i, y in enumerate(labels)]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_accuracy_counts_an_error_answer_as_wrong(tmp_path: Path) -> None:
    path = canary_set(tmp_path, [1, 0, 0, 1])  # right, right, wrong, error
    with serving(Model) as url:
        sample = CanaryProbe().sample(
            CanaryParams(url=f"{url}/predict", set=str(path)), DriverContext(run_id="t")
        )
    assert sample.value == 0.5
    assert sample.details["correct"] == 2 and sample.details["total"] == 4


def test_a_set_without_labels_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"request": {"entity_id": 1}}\n')
    with pytest.raises(InputError, match="every line needs 'request' and 'label'"):
        CanaryProbe().sample(
            CanaryParams(url="http://127.0.0.1:9/predict", set=str(path)), DriverContext(run_id="t")
        )


def test_the_probe_validates_in_an_experiment() -> None:
    text = """
version: 1
title: t
impact:
  - name: canary accuracy
    canary: {url: "http://127.0.0.1:9/predict", set: canary.jsonl, threshhold: 0.5}
    expect: {above: 0.6}
method:
  - wait: 1s
"""
    with pytest.raises(Exception, match="threshhold") as caught:
        load_text(text, "exp.yaml")
    assert "did you mean 'threshold'" in str(caught.value)
