"""The silent-failure matrix on the example stack with real Prometheus: one drill per cell
(experiments/silent-failures/), each classified as it says, and `chaosml report` shows the matrix
per alert and per ML Test Score test. A silent failure ends its run with exit 1 and one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from chaosml.demo.environment import DrillEnvironment
from tests.fixtures.catalogue_env import REPO_ROOT, cli_env, read_events, run_cli, run_experiment

pytestmark = [pytest.mark.prometheus, pytest.mark.slow]

DRILLS = REPO_ROOT / "experiments" / "silent-failures"
EXPECTED = {  # drill: (exit code, {alert: cell})
    "caught-unit-change": (0, {"TrainingServingSkew": "caught"}),
    "silent-income-noise": (
        1,
        {"InvalidFeatureRateHigh": "caught", "TrainingServingSkew": "silent failure"},
    ),
    "noisy-imputed-feature": (0, {"InvalidFeatureRateHigh": "noisy alert"}),
    "benign-small-latency": (0, {"HighP99Latency": "benign"}),
}


def test_every_drill_is_in_the_catalogue() -> None:
    assert sorted(p.stem for p in DRILLS.glob("*.yaml")) == sorted(EXPECTED)


def test_each_drill_lands_in_its_cell_and_the_report_shows_the_matrix(
    catalogue_environment: DrillEnvironment, tmp_path: Path
) -> None:
    journals, outputs = [], []
    for stem, (code, cells) in EXPECTED.items():
        run = run_experiment(DRILLS / f"{stem}.yaml", catalogue_environment.variables(), tmp_path)
        events = run.events(stem)
        found = {e["alert"]: e["cell"] for e in events if e["event"] == "alert.classified"}
        assert (run.exit_code, found) == (code, cells), run.output
        assert [e["ok"] for e in events if e["event"] == "fault.reverted"] == [True]
        journals.append(run.journals[stem])
        outputs.append(run.output)
    end = read_events(journals[1])[-1]  # silent-income-noise
    first_line = end["reason"].split("; ")[0]
    assert first_line.startswith("silent failure: users were harmed (canary accuracy holds:")
    assert first_line.endswith("and TrainingServingSkew stayed silent")
    assert "DEVIATED (exit 1): silent failure: users were harmed" in outputs[1]
    markdown = tmp_path / "report.md"
    code, output = run_cli(
        ["report", *map(str, journals), "--markdown", str(markdown)],
        cli_env(catalogue_environment.variables(), tmp_path),
        timeout=60,
    )
    assert code == 0, output
    text = markdown.read_text()
    assert "**Silent-failure matrix** (runs per cell)" in text
    assert "| TrainingServingSkew | 1 | 1 | 0 | 0 |" in text
    assert "| InvalidFeatureRateHigh | 1 | 0 | 1 | 0 |" in text
    assert "| HighP99Latency | 0 | 0 | 0 | 1 |" in text
    assert "| M7 | 2 | 1 | 1 | 1 |" in text
