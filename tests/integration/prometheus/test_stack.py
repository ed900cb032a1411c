"""The prom_monitoring stack launcher: starts real daemons, leaves nothing behind."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from chaosml.errors import InfrastructureError
from chaosml.io.procfs import alive
from chaosml.stack.monitoring import MonitoringStack
from tests.fixtures.prom_env import RULES, TEST_ENV

pytestmark = pytest.mark.prometheus


def test_stop_kills_every_daemon_and_removes_the_data(prom_binaries: None) -> None:
    with MonitoringStack(extra_env=TEST_ENV) as stack:
        pids = [d.process.pid for d in stack._daemons.values() if d.process is not None]
        assert len(pids) == 3 and all(alive(pid) for pid in pids)
        assert stack.alertmanager_url != stack.prometheus_url != stack.pushgateway_url
        workdir = stack.workdir
    assert not any(alive(pid) for pid in pids)
    assert not workdir.exists()


def test_bad_rules_fail_start_with_the_log_and_leave_nothing(prom_binaries: None) -> None:
    stack = MonitoringStack(
        extra_env=TEST_ENV,
        rules="groups: [{name: x, rules: [{alert: A, expr: 'sum('}]}]",
        with_alertmanager=False,
        with_pushgateway=False,
    )
    with pytest.raises(InfrastructureError, match=r"prometheus on http://127\.0\.0\.1:\d+ exited"):
        stack.start()
    assert not stack.workdir.exists()
    assert all(d.process is None or d.process.poll() is not None for d in stack._daemons.values())


def test_the_test_rules_pass_promtool(prom_binaries: None, tmp_path: Path) -> None:
    rules = tmp_path / "rules.yml"
    rules.write_text(json.dumps(RULES))
    checked = subprocess.run(
        ["promtool", "check", "rules", str(rules)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS: 5 rules found" in checked.stdout
