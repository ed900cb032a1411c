"""``chaosml stack up`` / ``stack down``: the example stack kept running for one's own
experiments, then stopped without leaving anything behind (processes, containers, ports, files).

Real services, real proxy, real Prometheus and Alertmanager; every process the test starts
carries the ``demo_run`` marker and is killed by the fixture if the test fails.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from chaosml.demo.monitoring import binaries_available
from tests.fixtures.demo_env import REPO_ROOT, DemoRun
from tests.fixtures.services import require

pytestmark = [pytest.mark.prometheus, pytest.mark.slow]


def _chaosml(
    run: DemoRun, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "chaosml", *args],
        cwd=run.root,
        env={**run.env(), **(env or {})},
        capture_output=True,
        text=True,
        timeout=240,
    )


def _env_file(path: Path) -> dict[str, str]:
    pairs = (shlex.split(line.removeprefix("export "))[0] for line in path.read_text().splitlines())
    return dict(pair.split("=", 1) for pair in pairs)


def _ports(variables: dict[str, str]) -> list[int]:
    urls = [v for k, v in variables.items() if k.endswith(("_URL", "_API"))]
    return [urlsplit(u).port or 0 for u in urls] + [
        int(variables["MODEL_METRICS_ADDRESS"].rsplit(":", 1)[1])
    ]


def _port_free(port: int) -> bool:
    """Nothing listens: a server could bind it again (connections in TIME_WAIT do not count)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _assert_nothing_left(run: DemoRun, variables: dict[str, str]) -> None:
    assert run.leftover_processes() == []
    assert run.leftover_containers() == []
    assert [p for p in _ports(variables) if not _port_free(p)] == []
    assert not Path(variables["CHAOSML_DEMO_DIR"]).exists()
    assert sorted(p.name for p in (run.root / ".chaosml").iterdir()) == ["stack.log"]


@pytest.fixture
def monitoring() -> None:
    require(binaries_available(), "prometheus and prometheus-alertmanager")


def test_stack_up_runs_an_experiment_then_down_leaves_nothing(
    demo_run: DemoRun, monitoring: None
) -> None:
    up = _chaosml(demo_run, "stack", "up")
    assert up.returncode == 0, up.stderr
    env_file = demo_run.root / ".chaosml" / "stack.env"
    variables = _env_file(env_file)
    assert up.stdout == env_file.read_text()  # eval "$(chaosml stack up)" works too
    assert "PROMETHEUS_URL" in variables and "ALERTMANAGER_URL" in variables
    assert "chaosml stack down" in up.stderr

    again = _chaosml(demo_run, "stack", "up")
    assert again.returncode == 2
    assert "already running" in again.stderr and "chaosml stack down" in again.stderr

    experiment = REPO_ROOT / "experiments" / "ml-stack" / "model-server-killed.yaml"
    ran = _chaosml(
        demo_run,
        "run",
        str(experiment),
        "--env",
        "dev",
        "--var",
        "detect_within=30s",
        env=variables,
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "ModelServerDown: fired" in ran.stdout

    down = _chaosml(demo_run, "stack", "down")
    assert down.returncode == 0, down.stderr
    assert "stopped the example stack" in down.stderr
    _assert_nothing_left(demo_run, variables)
    twice = _chaosml(demo_run, "stack", "down")
    assert twice.returncode == 0 and "nothing to stop" in twice.stderr


def test_stack_down_after_the_holder_was_killed_stops_what_it_left(
    demo_run: DemoRun, monitoring: None
) -> None:
    up = _chaosml(demo_run, "stack", "up")
    assert up.returncode == 0, up.stderr
    state = json.loads((demo_run.root / ".chaosml" / "stack.json").read_text())
    os.kill(state["pid"], signal.SIGKILL)  # the state file is now stale; the services live on

    down = _chaosml(demo_run, "stack", "down")
    assert down.returncode == 0, down.stderr
    assert f"holder (pid {state['pid']}) was gone" in down.stderr
    _assert_nothing_left(demo_run, state["variables"])
