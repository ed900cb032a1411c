"""Issue 20 with real Prometheus and Alertmanager: an alert already firing proves nothing.

The victim exporter is killed by the test *before* the run, so VictimDown is firing for a
reason that is not the run's fault (whose only effect is touching a marker file).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from chaosml.io import http_client
from tests.fixtures.prom_env import Exporter, MonitoringEnv
from tests.integration.prometheus.runner import (
    REPO_ROOT,
    RunResult,
    run_chaosml,
    wait_until,
    write_experiment,
)

pytestmark = [pytest.mark.prometheus, pytest.mark.slow]


def _am_active(env: MonitoringEnv, name: str) -> bool:
    url = f"{env.alertmanager_url}/api/v2/alerts"
    alerts = http_client.request("GET", url, timeout=5.0).json()
    return any(
        a["labels"].get("alertname") == name and a["status"]["state"] == "active" for a in alerts
    )


@pytest.fixture
def victim_already_down(prom_monitoring: MonitoringEnv, prom_victim: Exporter) -> Exporter:
    """The victim killed before the run: VictimDown firing in Prometheus and Alertmanager."""
    prom_victim.kill()
    prom_monitoring.wait_for(
        "VictimDown firing", lambda: prom_monitoring.alert_state("VictimDown") == "firing"
    )
    prom_monitoring.wait_for(
        "VictimDown in Alertmanager", lambda: _am_active(prom_monitoring, "VictimDown")
    )
    return prom_victim  # prom_victim restarts it after the test


def _experiment(tmp_path: Path, env: MonitoringEnv, allow: bool) -> Path:
    marker = tmp_path / "fault-applied"
    allow_line = "\n      allow_already_firing: true" if allow else ""
    return write_experiment(
        tmp_path,
        f"""
version: 1
title: A fault that changes nothing, and an alert that was already firing
blast_radius: {{environments: [test], max_duration: 2m}}
method:
  - fault: process.run
    command: [touch, "{marker}"]
    undo: [rm, -f, "{marker}"]
  - expect_alert:
      name: VictimDown
      labels: {{severity: page}}
      source: {{alertmanager: "{env.alertmanager_url}"}}
      fires_within: 10s{allow_line}
recovery:
  within: 10s
  every: 1s
  alerts_resolve:
    - name: VictimDown
      source: {{prometheus: "{env.prometheus_url}"}}
""",
    )


def test_an_expected_alert_already_firing_ends_not_steady_and_injects_nothing(
    prom_monitoring: MonitoringEnv, victim_already_down: Exporter, tmp_path: Path
) -> None:
    result = run_chaosml(_experiment(tmp_path, prom_monitoring, allow=False), tmp_path)
    assert result.exit_code == 3, result.output
    end = result.one("run.end")
    assert end["status"] == "not-steady"
    reason = end["reason"]
    assert "alert VictimDown is already active before any fault" in reason
    assert (
        "severity='page'" in reason and f"instance='127.0.0.1:{victim_already_down.port}'" in reason
    )
    assert "firing" in reason and "since 20" in reason and "s ago)" in reason  # since when
    assert "alert VictimDown is already active" in result.stdout
    assert result.of("fault.applied") == [] and result.of("fault.undo_registered") == []
    assert not (tmp_path / "fault-applied").exists()
    [check] = [e for e in result.of("probe.result") if e["kind"] == "alert_inactive"]
    assert check["ok"] is False and check["phase"] == "steady-state-before"


def test_allow_already_firing_passes_but_says_detection_was_not_proven(
    prom_monitoring: MonitoringEnv, victim_already_down: Exporter, tmp_path: Path
) -> None:
    result = run_chaosml(_experiment(tmp_path, prom_monitoring, allow=True), tmp_path)
    assert result.exit_code == 0, result.output
    fired = result.one("alert.fired")
    assert fired["proven"] is False and fired["time_to_detect_s"] is None
    assert fired["active_at"] < result.one("fault.applied")["wall"]
    assert "not proven" in fired["not_proven_why"]
    assert "detection NOT PROVEN" in result.stdout
    [summary_alert] = result.one("run.end")["summary"]["alerts"]
    assert summary_alert["proven"] is False
    # recovery does not wait on an alert the run did not cause: it is named instead
    resolved = result.one("alert.resolved")
    [other] = resolved["not_waited_on"]
    assert other["labels"]["instance"] == f"127.0.0.1:{victim_already_down.port}"
    assert "not caused by this run" in other["why"]
    assert "not caused by this run" in result.stdout
    markdown = _markdown_report(result, tmp_path)
    assert "detection NOT PROVEN" in markdown


def _markdown_report(result: RunResult, tmp_path: Path) -> str:
    journal = next(tmp_path.glob("journal-*.jsonl"))
    out = tmp_path / "report.md"
    subprocess.run(
        [sys.executable, "-m", "chaosml", "report", str(journal), "--markdown", str(out)],
        cwd=REPO_ROOT,
        check=True,
        capture_output=True,
        timeout=60,
    )
    return out.read_text()


def test_an_alert_that_started_after_the_check_but_before_the_fault_does_not_count(
    prom_monitoring: MonitoringEnv, prom_victim: Exporter, tmp_path: Path
) -> None:
    experiment = write_experiment(
        tmp_path,
        f"""
version: 1
title: The victim dies on its own after the steady-state check, before the fault
blast_radius: {{environments: [test], max_duration: 2m}}
method:
  - wait: 4s
  - fault: process.run
    command: ["true"]
  - expect_alert:
      name: VictimDown
      source: {{prometheus: "{prom_monitoring.prometheus_url}"}}
      fires_within: 3s
""",
    )

    def kill_when_the_method_starts(_: object) -> None:
        wait_until(lambda: _method_started(tmp_path), 30, "the method phase")
        prom_victim.kill()

    result = run_chaosml(experiment, tmp_path, during=kill_when_the_method_starts)
    assert result.exit_code == 1, result.output
    assert result.of("alert.fired") == []
    [failed] = [e for e in result.of("probe.result") if e["kind"] == "expect_alert"]
    assert "started before the fault" in failed["reason"]
    assert "after the steady-state check" in failed["reason"]


def _method_started(tmp_path: Path) -> bool:
    return any('"name": "method"' in j.read_text() for j in tmp_path.glob("journal-*.jsonl"))
