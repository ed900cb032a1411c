"""``expect_notification`` validates like every other step: every problem, with its location."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from chaosml.errors import ValidationError
from chaosml.loader import load_text
from chaosml.model import experiment as m

GOOD = """
version: 1
title: paged
method:
  - expect_notification:
      alert: ModelServerDown
      receiver: ml-oncall
      source: {alertmanager: "http://127.0.0.1:9093"}
      listen: "9097"
      within: 2m
      labels: {severity: page}
      annotations: [runbook_url, summary]
"""
BAD = """
version: 1
title: paged
method:
  - expect_notification:
      alert: X
      recevier: ml
      source: {alertmanager: "http://127.0.0.1:9093"}
      listen: "here"
      within: soon
"""


def test_a_valid_step_loads_with_its_defaults() -> None:
    [step] = load_text(GOOD, "exp.yaml").experiment.method
    assert isinstance(step, m.ExpectNotificationStep)
    n = step.expect_notification
    assert (n.receiver, n.listen, n.within, n.annotations) == (
        "ml-oncall",
        "9097",
        120.0,
        ["runbook_url", "summary"],
    )


def test_every_problem_is_named_with_its_location() -> None:
    with pytest.raises(ValidationError) as info:
        load_text(BAD, "exp.yaml")
    text = info.value.message
    assert "exp.yaml:5:5: method[0].expect_notification.receiver: missing required key" in text
    assert "unknown key 'recevier' (did you mean 'receiver'?)" in text
    assert "listen: expected host:port or a port (like 127.0.0.1:9097), got 'here'" in text
    assert "within: expected a duration like 500ms" in text


def test_chaosml_validate_exits_2_without_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "exp.yaml"
    path.write_text(textwrap.dedent(BAD))
    done = subprocess.run(
        [sys.executable, "-m", "chaosml", "validate", str(path)], capture_output=True, text=True
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr + done.stdout
    assert "expect_notification.listen" in done.stdout + done.stderr
