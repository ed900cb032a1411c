"""Issue 21: time to detect across machines, with chaosml's clock shifted by faketime.

Prometheus and Alertmanager keep the true time; chaosml runs 5 s ahead, 5 s behind, and on time.
The truth is Prometheus's own activeAt (read by the test) minus the fault's true wall time
(the journal's wall time minus the known shift).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from chaosml.drivers.alert_states import parse_rfc3339
from tests.fixtures.faketime import faketime_env
from tests.fixtures.prom_env import Exporter, MonitoringEnv
from tests.integration.prometheus.runner import (
    ActiveAtWatcher,
    RunResult,
    run_chaosml,
    victim_kill_experiment,
    write_experiment,
)

pytestmark = [pytest.mark.prometheus, pytest.mark.slow]


def _shifted_run(
    shift: float, env: MonitoringEnv, victim: Exporter, tmp_path: Path, *args: str
) -> tuple[RunResult, float | None]:
    """One run with chaosml's clock ``shift`` s off: (result, true time to detect)."""
    victim.ensure_running()
    env.wait_scraped_up("victim")
    env.wait_for("VictimDown inactive", lambda: env.alert_state("VictimDown") == "inactive")
    extra = faketime_env(shift) if shift else None
    with ActiveAtWatcher(env.prometheus_url, "VictimDown") as watcher:
        experiment = victim_kill_experiment(
            tmp_path, victim, env.prometheus_url, env.alertmanager_url, "alertmanager"
        )
        result = run_chaosml(experiment, tmp_path, args=args, extra_env=extra)
    if not watcher.seen or not result.of("fault.applied"):
        return result, None
    true_fault = result.one("fault.applied")["wall"] - shift
    return result, parse_rfc3339(min(watcher.seen)) - true_fault


def test_time_to_detect_is_corrected_for_a_five_second_skew_either_way(
    prom_monitoring: MonitoringEnv,
    prom_victim: Exporter,
    faketime_library: None,
    tmp_path: Path,
) -> None:
    runs = {s: _shifted_run(s, prom_monitoring, prom_victim, tmp_path) for s in (0.0, 5.0, -5.0)}
    errors = {}
    for shift, (result, truth) in runs.items():
        assert result.exit_code == 0, f"shift {shift:+g}s:\n{result.output}"
        fired = result.one("alert.fired")
        ttd = fired["time_to_detect_s"]
        assert truth is not None and ttd is not None and ttd >= 0
        errors[shift] = ttd - truth
        print(f"shift {shift:+g}s: time to detect {ttd:.3f}s, truth {truth:.3f}s")
        offsets = result.of("clock.offset")
        assert {(o["at"], o["source"]) for o in offsets} == {
            (at, src) for at in ("start", "end") for src in ("prometheus", "alertmanager")
        }
        for offset in offsets:  # the source's clock minus chaosml's: -shift
            assert offset["offset_s"] == pytest.approx(-shift, abs=0.05), offset
            assert offset["uncertainty_s"] < 0.05
        assert fired["clock_offset_s"] == pytest.approx(-shift, abs=0.05)
        warned = [o for o in offsets if o["warning"]]
        assert bool(warned) is (shift != 0.0)
        if shift:
            assert "NTP" in warned[0]["warning"] and "WARNING" in result.stdout
    for shift in (5.0, -5.0):  # within 0.3 s of the unshifted run's accuracy
        assert abs(errors[shift] - errors[0.0]) <= 0.3, errors
        assert abs(errors[shift]) <= 0.3, errors


def test_max_clock_skew_refuses_a_skewed_run_before_any_fault(
    prom_monitoring: MonitoringEnv,
    prom_victim: Exporter,
    faketime_library: None,
    tmp_path: Path,
) -> None:
    result, _ = _shifted_run(5.0, prom_monitoring, prom_victim, tmp_path, "--max-clock-skew", "2s")
    assert result.exit_code == 2, result.output
    end = result.one("run.end")
    assert end["status"] == "refused"
    assert "clock skew over --max-clock-skew 2s" in end["reason"] and "NTP" in end["reason"]
    assert result.of("fault.applied") == []
    assert prom_victim.alive()


def test_alertmanager_alone_is_measured_by_its_date_header(
    prom_monitoring: MonitoringEnv, faketime_library: None, tmp_path: Path
) -> None:
    experiment = write_experiment(
        tmp_path,
        f"""
version: 1
title: Only an Alertmanager, no Prometheus to borrow the time from
blast_radius: {{environments: [test]}}
method:
  - fault: process.run
    command: ["true"]
  - expect_alert:
      name: NoSuchAlert
      source: {{alertmanager: "{prom_monitoring.alertmanager_url}"}}
      fires_within: 1s
""",
    )
    result = run_chaosml(experiment, tmp_path, extra_env=faketime_env(5.0))
    assert result.exit_code == 1, result.output
    offsets = result.of("clock.offset")
    assert [o["at"] for o in offsets] == ["start", "end"]
    for offset in offsets:
        assert offset["method"] == "HTTP Date header"
        assert offset["uncertainty_s"] <= 0.5
        assert abs(offset["offset_s"] - (-5.0)) <= offset["uncertainty_s"] + 0.01, offset


def test_a_shifted_chaosml_sleeps_and_waits_at_the_true_pace(faketime_library: None) -> None:
    """The faketime set-up itself: time.sleep works and lasts what it says (see the fixture)."""
    code = "import time; m = time.monotonic(); time.sleep(0.3); print(time.monotonic() - m)"
    for shift in (5.0, -5.0):
        env = {**os.environ, **faketime_env(shift)}
        done = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=30
        )
        assert done.returncode == 0, done.stderr
        assert 0.3 <= float(done.stdout) < 0.6
