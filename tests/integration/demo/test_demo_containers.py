"""``chaosml demo --docker``: the demo's stack in containers, with the real Prometheus and
Alertmanager. Every drill passes and no container, process or temporary file is left behind."""

from __future__ import annotations

import re
import sys

import pytest

from chaosml.demo.monitoring import binaries_available
from tests.fixtures.demo_env import DemoRun, docker_available
from tests.fixtures.services import require
from tests.integration.demo.demo_output import run_demo, verdict_rows

pytestmark = [pytest.mark.prometheus, pytest.mark.slow, pytest.mark.timeout(600)]


@pytest.mark.docker
def test_demo_in_containers_passes_and_removes_its_containers(demo_run: DemoRun) -> None:
    require(docker_available(), "the Docker engine")
    require(binaries_available(), "prometheus and prometheus-alertmanager")
    code, stdout, output = run_demo(
        [sys.executable, "-m", "chaosml", "demo", "--docker"], demo_run.root, demo_run
    )
    assert code == 0, output
    assert re.search(r"model-server .* \(container chaosml-demo-\w+-model-server\)", output)
    assert "docker.kill" in output  # the killed-server drill hit the container
    rows = verdict_rows(stdout)
    assert all(v == "completed" for runs in rows.values() for v, _, _ in runs), output
    assert [a for _, a, _ in rows["model-server-killed"]] == ["ModelServerDown"]
    assert demo_run.leftover_containers() == []
    assert demo_run.leftover_processes() == []
    assert demo_run.leftover_files() == []
