"""`chaosml sensitivity` against the example stack with real Prometheus: it finds the latency
boundary of HighP99Latency and the NaN-percent boundary of NaNFeatures, every trial is a complete
run with its own journal, and a SIGINT in the middle of a trial ends the search with exit 130
and the toxic removed. Budgeted to about 3 minutes (few trials, short windows). The NaN search
is test_search_live_nan.py: a module of its own, on another worker."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from chaosml.demo.environment import DrillEnvironment
from tests.fixtures.catalogue_env import REPO_ROOT, cli_env, read_events
from tests.integration.sensitivity.search_cli import (
    LATENCY,
    assert_trials_were_complete_runs,
    result_of,
    search,
    toxics,
)

pytestmark = [pytest.mark.prometheus, pytest.mark.slow]


def test_the_search_finds_the_latency_boundary_of_high_p99_latency(
    catalogue_environment: DrillEnvironment, tmp_path: Path
) -> None:
    code, output, directory = search(
        catalogue_environment, tmp_path, LATENCY, "trials=5", "window=12s"
    )
    assert code == 0, output
    result = result_of(directory)
    assert result["alert"] == "HighP99Latency" and result["param"] == "latency"
    assert result["scale"] == "linear" and result["trials"] == 5
    # the rule pages at p99 > 250 ms: the added delay that fires is near it, the silent one below
    assert 0.15 < result["low_fires"] <= 0.6 and result["high_silent"] < result["low_fires"]
    assert result["high_silent"] < 0.26
    assert result["uncertainty"] == pytest.approx((result["low_fires"] - result["high_silent"]) / 2)
    assert_trials_were_complete_runs(directory, 5)
    assert "<svg" in (directory / "report.html").read_text()
    assert f"fires from latency = {result['low_fires']:g}" in output
    assert toxics(catalogue_environment) == []


def test_sigint_in_a_trial_ends_the_search_with_130_and_the_fault_undone(
    catalogue_environment: DrillEnvironment, tmp_path: Path
) -> None:
    directory = tmp_path / "search"
    args = ["sensitivity", str(LATENCY), "--env", "dev", "--quiet", "--search-dir", str(directory)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "chaosml", *args],
        cwd=REPO_ROOT,
        env=cli_env(catalogue_environment.variables(), tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        first = directory / "trial-001-0.6.jsonl"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if first.exists() and '"fault.applied"' in first.read_text():
                break
            time.sleep(0.1)
        else:
            pytest.fail("the first trial did not apply its fault within 60s")
        proc.send_signal(signal.SIGINT)
        output, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130, output
    assert "search stopped" in output
    assert [p.name for p in directory.glob("trial-*.jsonl")] == [first.name]  # no next trial
    events = read_events(first)
    assert [e["ok"] for e in events if e["event"] == "fault.reverted"] == [True]
    assert result_of(directory)["outcome"] == "stopped"
    assert toxics(catalogue_environment) == []
