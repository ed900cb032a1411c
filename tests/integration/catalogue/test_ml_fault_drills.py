"""The catalogue's ``model.swap`` drills and its slice drill end to end against the example stack
(real model server, real proxy, real Prometheus and Alertmanager); the swap's undo after SIGINT,
SIGTERM and SIGKILL + ``chaosml rollback``: the served model file is byte for byte the original
again. The slice drill: the per-segment alert fires, the global one stays quiet, and the
evidence states the share changed overall and within the slice."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from chaosml.demo.environment import DrillEnvironment
from tests.fixtures.catalogue_env import (
    CATALOGUE_DIR,
    REPO_ROOT,
    cli_env,
    read_events,
    run_cli,
    run_experiment,
)

pytestmark = [pytest.mark.prometheus, pytest.mark.slow, pytest.mark.timeout(900)]

DRILLS = {
    "model-stale": ["ModelStale"],
    "model-nan": ["NaNFeatures", "HighErrorRate"],
    "model-shifted": ["PredictionDistributionShifted", "TrainingServingSkew"],
}


def _model_file(env: DrillEnvironment) -> Path:
    return env.stack.work_dir / "model.json"


@pytest.mark.parametrize("drill", sorted(DRILLS))
def test_the_drill_passes_and_restores_the_model(
    drill: str, catalogue_environment: DrillEnvironment, tmp_path: Path
) -> None:
    original = _model_file(catalogue_environment).read_bytes()
    run = run_experiment(
        CATALOGUE_DIR / f"{drill}.yaml", catalogue_environment.variables(), tmp_path
    )
    events = run.events(drill)
    assert (events[-1]["status"], run.exit_code) == ("completed", 0), run.output
    fired = {e["name"] for e in events if e["event"] == "alert.fired"}
    assert set(DRILLS[drill]) <= fired, run.output
    evidence = [e for e in events if e["event"] == "fault.evidence"]
    assert evidence and evidence[0]["effect"] is True, evidence
    assert _model_file(catalogue_environment).read_bytes() == original


def test_a_slice_only_corruption_hides_in_the_global_mean(
    catalogue_environment: DrillEnvironment, tmp_path: Path
) -> None:
    drill = CATALOGUE_DIR / "feed-slice-nulls.yaml"
    run = run_experiment(drill, catalogue_environment.variables(), tmp_path)
    events = run.events(drill.stem)
    assert (events[-1]["status"], run.exit_code) == ("completed", 0), run.output
    fired = {e["name"] for e in events if e["event"] == "alert.fired"}
    assert "SegmentInvalidFeatureRateHigh" in fired and "InvalidFeatureRateHigh" not in fired
    evidence = [e for e in events if e["event"] == "fault.evidence"][-1]
    counters = evidence["counters"]
    assert evidence["effect"] is True
    # under the global 5 % threshold overall; half of the slice (binomial: above 10 % surely)
    assert counters["share_changed"] < 0.05 < 0.1 < counters["slice_share_changed"], counters
    assert counters["slice_records"] < 0.1 * counters["records"], counters
    assert "within the slice" in run.output and "overall" in run.output


def _started(
    variables: dict[str, str], tmp: Path, journal: Path, *extra: str
) -> subprocess.Popen[str]:
    drill = CATALOGUE_DIR / "model-stale.yaml"
    args = ["run", str(drill), "--env", "dev", "--journal", str(journal), *extra]
    return subprocess.Popen(
        [sys.executable, "-m", "chaosml", *args],
        cwd=REPO_ROOT,
        env=cli_env(variables, tmp),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _wait_applied(proc: subprocess.Popen[str], journal: Path) -> None:
    deadline = time.monotonic() + 60
    while not journal.exists() or not any(
        e["event"] == "fault.applied" for e in read_events(journal)
    ):
        assert proc.poll() is None, f"chaosml exited {proc.returncode} before the swap"
        assert time.monotonic() < deadline, "timed out waiting for the swap"
        time.sleep(0.05)


@pytest.mark.parametrize("how", ["SIGINT", "SIGTERM", "SIGKILL"])
def test_the_swap_is_undone_after_a_signal(
    how: str, catalogue_environment: DrillEnvironment, tmp_path: Path
) -> None:
    model = _model_file(catalogue_environment)
    original = model.read_bytes()
    stale = (catalogue_environment.stack.work_dir / "models" / "model-2020.json").read_bytes()
    journal = tmp_path / "run.jsonl"
    variables = catalogue_environment.variables()
    extra = ["--no-watchdog"] if how == "SIGKILL" else []
    proc = _started(variables, tmp_path, journal, *extra)
    try:
        _wait_applied(proc, journal)
        assert model.read_bytes() == stale  # the swap is in place
        proc.send_signal(getattr(signal, how))
        output, _ = proc.communicate(timeout=60)
        if how == "SIGKILL":
            assert proc.returncode == -signal.SIGKILL
            assert model.read_bytes() == stale  # nobody undid it yet
            code, out = run_cli(["rollback", str(journal)], cli_env(variables, tmp_path), 60)
            assert code == 0, out
        else:
            assert proc.returncode == 130, output
            end = read_events(journal)[-1]
            assert (end["event"], end["status"]) == ("run.end", "interrupted"), end
            assert "Traceback" not in output
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        if model.read_bytes() != original:  # never leave the fault behind
            model.write_bytes(original)
    assert model.read_bytes() == original
    reverted = [
        e for e in read_events(journal) if e["event"] in ("fault.reverted", "rollback.undo")
    ]
    assert reverted or how == "SIGKILL", json.dumps(read_events(journal)[-3:])
    if catalogue_environment.monitoring is not None:  # quiet again for what follows
        catalogue_environment.monitoring.wait_ready(within=90)
