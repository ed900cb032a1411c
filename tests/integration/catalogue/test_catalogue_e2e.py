"""The drill catalogue (``experiments/ml-stack/``) end to end, as a user runs it.

``chaosml gameday`` over experiments/gameday-ml-stack.yaml, the whole catalogue, cut into three
shards that run at once, each on its own example stack (processes, chaosml proxy, real
Prometheus and Alertmanager): the 17 drills take a third of the time. Each drill's own journal
is checked: exit 0, every alert it names fired, with a time to detect; ``chaosml report`` over
all their journals proves the seven monitoring tests. Each drill checks before and after that
no alert is pending or firing, so it leaves its stack quiet for the next. A deliberately broken alert rule makes its drill deviate (exit 1) and name the alert
as missing.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from chaosml.demo.environment import DrillEnvironment
from chaosml.demo.monitoring import RULES_FILE
from chaosml.gameday.plan import load_plan
from chaosml.loader import load_file
from chaosml.model.experiment import ExpectAlertStep
from chaosml.reporting.coverage import ML_MONITORING_TESTS, compute_coverage
from chaosml.reporting.journal_reader import read_journal
from tests.fixtures.catalogue_env import (
    CATALOGUE_DIR,
    GAMEDAY_PLAN,
    ShardedDrill,
    broken_monitoring,
    catalogue_files,
    cli_env,
    container_files,
    run_cli,
    run_experiment,
)

pytestmark = [pytest.mark.prometheus, pytest.mark.slow, pytest.mark.timeout(900)]

DRILLS = catalogue_files()
ALL_DRILLS = sorted(DRILLS + container_files())
BROKEN_DRILL = CATALOGUE_DIR / "dependency-version-changed.yaml"
VALIDATED_MATCH = "unless on (dependency, version) model_dependency_expected_info"
BROKEN_MATCH = "unless on (dependency) model_dependency_expected_info"  # never fires


def expected_alerts(experiment: Path) -> dict[str, float]:
    """Alert name -> fires_within of every expect_alert step of ``experiment``."""
    loaded = load_file(experiment, environ={})
    steps = [s for s in loaded.experiment.method if isinstance(s, ExpectAlertStep)]
    return {s.expect_alert.name: s.expect_alert.fires_within for s in steps}


def test_the_gameday_plan_lists_every_drill_of_the_catalogue() -> None:
    plan = load_plan(GAMEDAY_PLAN)
    listed = sorted(plan.experiment_path(entry) for entry in plan.plan.experiments)
    assert listed == [p.resolve() for p in DRILLS]


def test_the_catalogue_index_lists_every_drill() -> None:
    index = (CATALOGUE_DIR.parent / "README.md").read_text()
    for path in ALL_DRILLS:
        assert f"(ml-stack/{path.name})" in index, (
            f"{path.name} is missing in experiments/README.md"
        )


@pytest.mark.parametrize("experiment", ALL_DRILLS, ids=[p.stem for p in ALL_DRILLS])
def test_every_drill_is_documented_and_names_its_alert(experiment: Path) -> None:
    loaded = load_file(experiment, environ={})
    exp = loaded.experiment
    assert exp.ml_test_score and set(exp.ml_test_score) <= set(ML_MONITORING_TESTS)
    alerts = expected_alerts(experiment)
    assert alerts, f"{experiment.name}: no expect_alert step"
    assert all(name in exp.description for name in alerts), "the description names its alert"
    assert exp.recovery is not None
    assert {a.name for a in exp.recovery.alerts_resolve} == set(alerts)
    assert exp.blast_radius.environments == ["dev", "staging"]


@pytest.mark.parametrize("experiment", DRILLS, ids=[p.stem for p in DRILLS])
def test_the_drill_passes_and_its_alerts_fire(
    experiment: Path, catalogue_drill: ShardedDrill
) -> None:
    assert experiment.stem in catalogue_drill.journals, catalogue_drill.output
    events = catalogue_drill.events(experiment.stem)
    end = events[-1]
    assert end["event"] == "run.end", catalogue_drill.output
    assert (end["status"], end["exit_code"]) == ("completed", 0), catalogue_drill.output
    fired = {e["name"]: e for e in events if e["event"] == "alert.fired"}
    for name, within in expected_alerts(experiment).items():
        assert name in fired, f"{name} did not fire: {catalogue_drill.output}"
        assert 0 <= fired[name]["time_to_detect_s"] <= within
    reverted = [e for e in events if e["event"] == "fault.reverted"]
    assert reverted and all(e["ok"] for e in reverted)
    pages = [
        s
        for s in load_file(experiment, environ={}).experiment.method
        if s.type == "expect_notification"
    ]
    notified = [e for e in events if e["event"] == "notification.result"]
    assert len(notified) == len(pages) and all(e["notified"] for e in notified), notified


def test_the_drill_proves_all_seven_monitoring_tests(
    catalogue_drill: ShardedDrill, tmp_path: Path
) -> None:
    assert [run.exit_code for run in catalogue_drill.shards] == [0] * len(catalogue_drill.shards), (
        catalogue_drill.output
    )
    for run in catalogue_drill.shards:  # each game day ends with its own coverage table
        assert re.search(r"^ML Test Score monitoring coverage: [1-7]/7 proved", run.output, re.M)
    journals = sorted(str(j) for j in catalogue_drill.journals.values())
    assert len(journals) == len(DRILLS)
    code, output = run_cli(["report", *journals], cli_env({}, tmp_path), timeout=120)
    assert code == 0, output
    assert "**ML Test Score monitoring coverage: 7/7 proved**" in output, output
    for test in ML_MONITORING_TESTS:
        assert re.search(rf"^\| {test} \| proved \| ", output, re.M), test
    reports = [read_journal(Path(j)) for j in journals]
    coverage = compute_coverage(reports)
    assert [t.state for t in coverage.tests] == ["proved"] * 7
    assert coverage.uncovered == []


def test_a_broken_alert_rule_is_reported_missing(
    catalogue_environment: DrillEnvironment, tmp_path: Path
) -> None:
    rules = tmp_path / "broken.rules.yml"
    rules.write_text(RULES_FILE.read_text().replace(VALIDATED_MATCH, BROKEN_MATCH))
    assert BROKEN_MATCH in rules.read_text()
    mon = broken_monitoring(catalogue_environment, rules, tmp_path / "monitoring")
    variables = {
        **catalogue_environment.variables(),
        "PROMETHEUS_URL": mon.prometheus_url,
        "ALERTMANAGER_URL": mon.alertmanager_url,
    }
    try:
        run = run_experiment(BROKEN_DRILL, variables, tmp_path, "--var", "detect_within=10s")
    finally:
        mon.stop()
    assert run.exit_code == 1, run.output
    events = run.events(BROKEN_DRILL.stem)
    assert [e for e in events if e["event"] == "alert.fired"] == []
    assert events[-1]["status"] == "deviated"
    assert re.search(r"alert DependencyVersionChanged: DID NOT FIRE", run.output), run.output
    version_file = Path(variables["CHAOSML_DEMO_DIR"]) / "feature-service.version"
    assert version_file.read_text().strip() == "1.0.0"  # the rollback ran
    assert catalogue_environment.monitoring is not None
    catalogue_environment.monitoring.wait_ready(within=60)  # quiet again for what follows
