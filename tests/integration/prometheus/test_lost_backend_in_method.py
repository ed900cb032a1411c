"""Prometheus goes away in the middle of the method, with a fault in place. Per step kind that
reads it, what a user sees: the exit code, the run's end in the journal, the fault undone.

| what reads Prometheus when it goes | the run |
|---|---|
| an `expect_alert` waiting for its alert | failed, exit 5, naming the backend |
| a `prometheus` probe step | failed, exit 5, naming the backend |
| a guard | aborted, exit 4: a guard that cannot read fails closed |
| an `observe` metric | goes on (the sample records the error), completed, exit 0 |
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from chaosml.stack.monitoring import MonitoringStack, missing_binaries
from tests.fixtures.prom_env import TEST_ENV
from tests.fixtures.services import require
from tests.integration.core.interrupts import Files, events, spawned, wait_until

pytestmark = [pytest.mark.prometheus]

RULES = {"groups": [{"name": "t", "rules": [{"alert": "NeverFires", "expr": "vector(1) < 0"}]}]}


def _method_steps(kind: str, url: str) -> tuple[str, str]:
    """(extra top-level sections, the steps after the fault) for one kind of reader."""
    if kind == "expect_alert":
        steps = f"""  - expect_alert:
      name: NeverFires
      source: {{prometheus: "{url}"}}
      fires_within: 60s
"""
        return "", steps
    if kind == "probe":
        steps = f"""  - wait: 1500ms
  - probe:
      name: up series
      prometheus: {{url: "{url}", query: "vector(1)"}}
      expect: {{equals: 1}}
"""
        return "", steps
    if kind == "guard":
        top = f"""guards:
  - name: error budget
    every: 200ms
    prometheus: {{url: "{url}", query: "vector(0)"}}
    expect: {{below: 1}}
"""
        return top, "  - wait: 30s\n"
    top = f"""observe:
  every: 200ms
  metrics:
    - name: a series
      prometheus: {{url: "{url}", query: "vector(1)"}}
"""
    return top, "  - wait: 3s\n"


def _experiment(kind: str, url: str, marker: Path) -> str:
    top, steps = _method_steps(kind, url)
    return f"""version: 1
title: Prometheus goes away during the method ({kind})
{top}method:
  - fault: process.run
    command: [touch, "{marker}"]
    undo: [rm, -f, "{marker}"]
{steps}"""


@pytest.fixture
def prometheus() -> Iterator[MonitoringStack]:
    require(not missing_binaries(["prometheus"]), "the prometheus binary")
    stack = MonitoringStack(
        rules=RULES, with_alertmanager=False, with_pushgateway=False, extra_env=TEST_ENV
    ).start()
    try:
        yield stack
    finally:
        stack.stop()


EXPECTED = {
    "expect_alert": (5, "failed"),
    "probe": (5, "failed"),
    "guard": (4, "aborted"),
    "observe": (0, "completed"),
}


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_prometheus_lost_mid_method(kind: str, tmp_path: Path, prometheus: MonitoringStack) -> None:
    files = Files(tmp_path)
    marker = tmp_path / "fault-in-place"
    exp = tmp_path / "exp.yaml"
    exp.write_text(_experiment(kind, prometheus.prometheus_url, marker))
    with spawned(["run", str(exp), "--journal", str(files.journal)], files) as proc:
        wait_until(lambda: _applied(files.journal), "the fault", proc)
        assert marker.exists()
        prometheus.stop()
        proc.wait(timeout=90)
        out, err = proc.communicate()
    code, status = EXPECTED[kind]
    end = events(files.journal)[-1]
    assert (proc.returncode, end["event"], end["status"]) == (code, "run.end", status), out + err
    assert not marker.exists()  # the fault was undone
    assert "Traceback" not in err and "never retrieved" not in err
    if code == 5:
        assert prometheus.prometheus_url.split("//")[1] in end["reason"] + out + err
    if kind == "observe":
        failed = [
            e for e in events(files.journal) if e["event"] == "observe.sample" and e.get("error")
        ]
        assert failed, "the lost samples are recorded with their error"


def _applied(journal: Path) -> bool:
    return journal.exists() and any(e["event"] == "fault.applied" for e in events(journal))


NOTIFY_AND_AM = {
    "expect_notification": """  - expect_notification:
      alert: NeverFires
      receiver: ml-oncall
      source: {{alertmanager: "{am}"}}
      within: 60s
""",
    "expect_alert (alertmanager)": """  - expect_alert:
      name: NeverFires
      source: {{alertmanager: "{am}"}}
      fires_within: 60s
""",
}


@pytest.mark.parametrize("kind", sorted(NOTIFY_AND_AM))
def test_alertmanager_lost_mid_method_fails_the_run_with_the_fault_undone(
    kind: str, tmp_path: Path
) -> None:
    require(not missing_binaries(["prometheus", "alertmanager"]), "Prometheus and Alertmanager")
    stack = MonitoringStack(rules=RULES, with_pushgateway=False, extra_env=TEST_ENV).start()
    files = Files(tmp_path)
    marker = tmp_path / "fault-in-place"
    exp = tmp_path / "exp.yaml"
    exp.write_text(
        f"""version: 1
title: Alertmanager goes away during the method ({kind})
method:
  - fault: process.run
    command: [touch, "{marker}"]
    undo: [rm, -f, "{marker}"]
"""
        + NOTIFY_AND_AM[kind].format(am=stack.alertmanager_url)
    )
    try:
        with spawned(["run", str(exp), "--journal", str(files.journal)], files) as proc:
            wait_until(lambda: _applied(files.journal), "the fault", proc)
            stack.stop()
            proc.wait(timeout=90)
            out, err = proc.communicate()
    finally:
        stack.stop()
    end = events(files.journal)[-1]
    assert (proc.returncode, end["status"]) == (5, "failed"), out + err
    assert stack.alertmanager_url.split("//")[1] in end["reason"] + out + err
    assert not marker.exists()  # the fault was undone
    assert "Traceback" not in err
