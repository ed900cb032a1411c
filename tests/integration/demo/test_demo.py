"""``chaosml demo`` as a newcomer runs it: from a clean checkout installed into a fresh
virtualenv, with the real Prometheus and Alertmanager. It must pass every drill, print each
alert's time to detect, and leave no process, temporary file or checkout change behind.
(The demo in containers: test_demo_containers.py, a module of its own so that the two ~80-second
demos run on different workers.)
"""

from __future__ import annotations

import pytest

from chaosml.demo.drill import DRILL_FILES
from chaosml.demo.monitoring import binaries_available
from tests.fixtures.demo_env import DemoRun, FreshInstall
from tests.fixtures.services import require
from tests.integration.demo.demo_output import (
    EXPECTED_ALERTS,
    assert_outputs,
    run_demo,
    verdict_rows,
)

pytestmark = [pytest.mark.prometheus, pytest.mark.slow, pytest.mark.timeout(600)]


def test_demo_from_a_fresh_install_passes_and_leaves_nothing_behind(
    fresh_install: FreshInstall, demo_run: DemoRun
) -> None:
    require(binaries_available(), "prometheus and prometheus-alertmanager")
    status_before = fresh_install.git_status()
    code, stdout, output = run_demo(
        [str(fresh_install.chaosml), "demo"], fresh_install.checkout, demo_run
    )
    assert code == 0, output
    rows = verdict_rows(stdout)
    assert list(rows) == [name.removesuffix(".yaml") for name in DRILL_FILES], output
    for drill, alerts in EXPECTED_ALERTS.items():
        assert [alert for _, alert, _ in rows[drill]] == alerts, output
        for verdict, alert, detected in rows[drill]:
            assert verdict == "completed", output
            seconds = float(detected.removesuffix("s"))
            assert 0 < seconds < 60, f"{alert}: {detected}"
    assert_outputs(demo_run, output)
    assert demo_run.leftover_processes() == []
    assert demo_run.leftover_files() == []
    assert fresh_install.git_status() == status_before
