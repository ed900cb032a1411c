"""The console summary of ``chaosml gameday``: each experiment's time to detect."""

from __future__ import annotations

from pathlib import Path

from chaosml.exit_codes import ExitCode
from chaosml.gameday.runner import DrillResult, ExperimentOutcome
from chaosml.gameday.summary import render_summary
from tests.unit.reporting.conftest import load


def _result() -> DrillResult:
    passed, deviated = load("passed"), load("deviated")
    outcomes = [
        ExperimentOutcome(0, Path("a.yaml"), passed.title, ExitCode.OK, Path("a.jsonl"), passed),
        ExperimentOutcome(1, Path("b.yaml"), deviated.title, ExitCode.DEVIATED, None, deviated),
        ExperimentOutcome(2, Path("c.yaml"), "skipped one", None, note="skipped: stop"),
    ]
    return DrillResult("Weekly drill", "gd-1", "dev", outcomes, duration_s=21.0)


def test_each_experiment_shows_its_time_to_detect() -> None:
    text = render_summary(_result())
    header = next(line for line in text.splitlines() if "verdict" in line)
    assert "detect" in header
    rows = {line.split()[0]: line for line in text.splitlines() if line[:4].strip().isdigit()}
    assert " 0.90s  Killing the model server" in rows["1"]
    assert " missed  NaN features" in rows["2"]
    assert " —  skipped one" in rows["3"]
    assert "time to detect: ModelServerDown 0.90s" in text
    assert "time to detect: FeatureNaN DID NOT FIRE" in text
