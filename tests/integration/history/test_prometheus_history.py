"""With a real Prometheus: a rule slowed on purpose (``for: 30s``) is flagged as a time-to-detect
regression, a rule that stops firing is flagged, the same on SQLite and PostgreSQL, and
``chaosml coverage`` lists the alerting rule that no drill proves (issue 14, "Must show")."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from chaosml.history.store import HistoryStore
from chaosml.io import http_client
from chaosml.io.ports import free_port
from chaosml.stack.monitoring import MonitoringStack, ScrapeJob
from tests.fixtures.prom_env import TEST_ENV, Exporter
from tests.integration.history.conftest import REPO_ROOT, cli_env
from tests.integration.prometheus.runner import flow, run_chaosml, wait_until, write_experiment

pytestmark = [pytest.mark.prometheus, pytest.mark.slow]
ALERT = "HistoryVictimDown"


def rules(for_: str = "0s", expr: str = 'up{job="hvictim"} == 0') -> dict[str, Any]:
    return {
        "groups": [
            {
                "name": "history-tests",
                "rules": [
                    {"alert": ALERT, "expr": expr, "for": for_, "labels": {"severity": "page"}},
                    {
                        "alert": "NeverDrilled",
                        "expr": "vector(0) > 1",
                        "annotations": {"ml_test_score": "M4"},
                    },
                ],
            }
        ]
    }


@dataclass
class Bed:
    stack: MonitoringStack
    victim: Exporter

    def reload(self, new_rules: dict[str, Any], check: str) -> None:
        """New rules, then SIGHUP; wait until Prometheus serves them."""
        self.stack.rules = new_rules
        self.stack.write_config()
        os.kill(self.stack.pids()["prometheus"], signal.SIGHUP)
        url = self.stack.prometheus_url + "/api/v1/rules?type=alert"
        wait_until(lambda: check in http_client.request("GET", url).text, 20, "the new rules")


@pytest.fixture
def bed(prom_binaries: None) -> Iterator[Bed]:
    scratch = Path(tempfile.mkdtemp(prefix="chaosml-history-prom-"))
    victim = Exporter("hvictim", free_port(), scratch / "victim.pid")
    stack = MonitoringStack(
        jobs=[ScrapeJob("hvictim", [f"127.0.0.1:{victim.port}"])],
        rules=rules(),
        with_pushgateway=False,
        extra_env=TEST_ENV,
    )
    try:
        victim.start()
        stack.start()
        yield Bed(stack, victim)
    finally:
        stack.stop()
        victim.kill()
        subprocess.run(["rm", "-rf", str(scratch)], check=False)


def experiment(tmp_path: Path, bed: Bed) -> Path:
    """Kill the exporter; the alert must reach Alertmanager (whose ``startsAt`` is when the rule
    fired: Prometheus's own ``activeAt`` is when it went pending, before its ``for``)."""
    prom = bed.stack.prometheus_url
    return write_experiment(
        tmp_path,
        f"""
version: 1
title: Killing the exporter fires {ALERT}
tags: [ml-test-score:M6]
vars: {{within: 60s}}
blast_radius: {{environments: [test], max_duration: 3m}}
steady_state:
  - name: victim scraped
    prometheus: {{url: "{prom}", query: 'up{{job="hvictim"}}'}}
    expect: {{equals: 1}}
method:
  - fault: process.kill
    pid_file: "{bed.victim.pid_file}"
    signal: SIGKILL
    restart: {flow(bed.victim.argv())}
    restart_cwd: "{REPO_ROOT}"
  - expect_alert:
      name: {ALERT}
      source: {{alertmanager: "{bed.stack.alertmanager_url}"}}
      fires_within: ${{within}}
recovery:
  within: 30s
  every: 500ms
  alerts_resolve:
    - name: {ALERT}
      source: {{prometheus: "{prom}"}}
""",
    )


def history(url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "chaosml", *args, "--history", url],
        cwd=tmp_path,
        env=cli_env(url, tmp_path),
        text=True,
        capture_output=True,
        timeout=60,
    )


def test_a_slowed_rule_and_a_rule_that_stops_firing_are_flagged_on_both_backends(
    bed: Bed, postgres_url: str, tmp_path: Path
) -> None:
    sqlite_url = f"sqlite:///{tmp_path / 'history.db'}"
    path = experiment(tmp_path, bed)
    env = {"CHAOSML_HISTORY_URL": sqlite_url}

    def drill(*args: str) -> float | None:
        result = run_chaosml(path, tmp_path, extra_env=env, args=("--no-watchdog", *args))
        fired = result.of("alert.fired")
        return fired[0]["time_to_detect_s"] if fired else None

    fast = [drill() for _ in range(3)]
    assert all(t is not None and t < 5 for t in fast), fast
    assert history(sqlite_url, tmp_path, "history", "--fail-on-regression").returncode == 0

    bed.reload(rules(for_="30s"), '"duration":30')
    slow = drill()
    print(f"times to detect: {fast} then, with for: 30s, {slow}")
    assert slow is not None and slow >= 30
    shown = history(sqlite_url, tmp_path, "history", "--fail-on-regression")
    assert shown.returncode == 1, shown.stdout + shown.stderr
    assert f"slower: {ALERT} took {slow:.1f}s to detect" in shown.stdout

    bed.reload(rules(expr='up{job="hvictim"} == 5'), "== 5")
    assert drill("--var", "within=4s") is None
    shown = history(sqlite_url, tmp_path, "history", "--fail-on-regression")
    assert shown.returncode == 1
    assert f"stopped-firing: {ALERT} fired in 4 earlier run(s)" in shown.stdout

    imported = history(postgres_url, tmp_path, "history", "import", str(tmp_path))
    assert "imported 5 run(s)" in imported.stdout, imported.stdout + imported.stderr
    assert HistoryStore.open(postgres_url).runs() == HistoryStore.open(sqlite_url).runs()
    on_postgres = history(postgres_url, tmp_path, "history", "--json").stdout
    assert on_postgres == history(sqlite_url, tmp_path, "history", "--json").stdout

    coverage = history(sqlite_url, tmp_path, "coverage", "--prometheus", bed.stack.prometheus_url)
    assert coverage.returncode == 0, coverage.stderr
    assert "2 alerting rule(s), 1 proven by a drill, 1 never proven" in coverage.stdout
    never = next(x for x in coverage.stdout.splitlines() if "NeverDrilled" in x)
    assert "never drilled" in never and "M4" in never and "no drill expects it" in never
    as_json = json.loads(
        history(
            postgres_url,
            tmp_path,
            "coverage",
            "--prometheus",
            bed.stack.prometheus_url,
            "--format",
            "json",
        ).stdout
    )
    by_name = {r["alert"]: r for r in as_json["rules"]}
    assert by_name[ALERT]["state"] == "proven" and by_name[ALERT]["ml_test_score"] == ["M6"]
    assert by_name[ALERT]["proved_by_runs"] == 4
    assert by_name[ALERT]["expected_without_firing"] == 1
    assert by_name["NeverDrilled"]["state"] == "never drilled"
