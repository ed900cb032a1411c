"""Prometheus stops while `recovery.alerts_resolve` polls it: the run still ends with `run.end`
(status failed, exit 5), its exit line and no traceback (docs/signals.md)."""

from __future__ import annotations

import contextlib
import json
import time
import urllib.request
from pathlib import Path

import pytest

from chaosml.stack.monitoring import MonitoringStack, missing_binaries
from tests.fixtures.prom_env import TEST_ENV
from tests.fixtures.services import require
from tests.integration.core.interrupts import Files, events, spawned, wait_until

pytestmark = [pytest.mark.prometheus]

ALWAYS_FIRING = {
    "groups": [{"name": "t", "rules": [{"alert": "AlwaysFiring", "expr": "vector(1)"}]}]
}


def _experiment(prometheus: str) -> str:
    return f"""version: 1
title: the backend goes away during recovery
method:
  - wait: 10ms
recovery:
  within: 60s
  every: 100ms
  alerts_resolve:
    - name: AlwaysFiring
      source: {{prometheus: "{prometheus}"}}
"""


def test_prometheus_lost_during_recovery_ends_the_run_with_exit_5(tmp_path: Path) -> None:
    require(not missing_binaries(["prometheus"]), "the prometheus binary")
    files = Files(tmp_path)
    stack = MonitoringStack(
        rules=ALWAYS_FIRING, with_alertmanager=False, with_pushgateway=False, extra_env=TEST_ENV
    ).start()
    try:
        _wait_firing(stack.prometheus_url, "AlwaysFiring")  # else recovery finds it resolved
        exp = tmp_path / "exp.yaml"
        exp.write_text(_experiment(stack.prometheus_url))
        args = ["run", str(exp), "--journal", str(files.journal)]
        with spawned(args, files) as proc:
            wait_until(lambda: _in_recovery(files.journal), "recovery", proc)
            stack.stop()
            proc.wait(timeout=60)
            out, err = proc.communicate()
    finally:
        stack.stop()
    end = events(files.journal)[-1]
    assert proc.returncode == 5, out + err
    assert end["event"] == "run.end" and end["status"] == "failed" and end["exit_code"] == 5
    assert "during recovery" in end["reason"]
    assert "FAILED (exit 5)" in out
    assert "Traceback" not in err and "never retrieved" not in err


def _wait_firing(prometheus: str, name: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, ValueError):
            with urllib.request.urlopen(f"{prometheus}/api/v1/alerts", timeout=2) as answer:
                alerts = json.load(answer)["data"]["alerts"]
            if any(a["labels"]["alertname"] == name and a["state"] == "firing" for a in alerts):
                return
        time.sleep(0.1)
    raise AssertionError(f"{name} never fired in {prometheus}")


def _in_recovery(journal: Path) -> bool:
    return any(e["event"] == "phase" and e["name"] == "recovery" for e in events(journal))
