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
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from chaosml.demo.monitoring import binaries_available
from chaosml.io import procfs
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


def _wait_quiet(prometheus: str, within: float = 90.0) -> None:
    """No alert pending or firing (a loaded machine can briefly trip the latency alert)."""
    deadline = time.monotonic() + within
    while True:
        with urllib.request.urlopen(f"{prometheus}/api/v1/alerts", timeout=5) as response:
            alerts = json.loads(response.read())["data"]["alerts"]
        if not alerts:
            return
        assert time.monotonic() < deadline, f"alerts did not settle: {alerts}"
        time.sleep(0.5)


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
    recorded = json.loads((demo_run.root / ".chaosml" / "stack.json").read_text())["processes"]
    assert set(recorded) >= {"feature-service", "model-server", "traffic", "proxy", "prometheus"}
    assert all(procfs.alive(pid) for pid in recorded.values())

    again = _chaosml(demo_run, "stack", "up")
    assert again.returncode == 2
    assert "already running" in again.stderr and "chaosml stack down" in again.stderr

    _wait_quiet(variables["PROMETHEUS_URL"])  # a drill starts on a quiet stack (steady state)
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


def test_ctrl_c_while_the_stack_starts_stops_what_had_started(
    demo_run: DemoRun, monitoring: None
) -> None:
    for _attempt in range(6):  # the signal must land while it starts, not after it is up
        up = subprocess.Popen(
            [sys.executable, "-m", "chaosml", "stack", "up"],
            cwd=demo_run.root,
            env=demo_run.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        demo_run.wait_for_processes(3, within=60)  # up, its holder, the first service
        up.send_signal(signal.SIGINT)
        out, err = up.communicate(timeout=120)
        if not (up.returncode == 0 and "export " in out):
            break
        # the whole stack was up before the signal arrived: take it down and try again
        subprocess.run(
            [sys.executable, "-m", "chaosml", "stack", "down"],
            cwd=demo_run.root,
            env=demo_run.env(),
            capture_output=True,
            timeout=120,
            check=True,
        )
    assert up.returncode == 130, out + err
    assert "interrupted" in err and out == ""
    assert demo_run.leftover_processes() == []
    assert sorted(p.name for p in (demo_run.root / ".chaosml").iterdir()) == ["stack.log"]
    assert [p for p in demo_run.tmp.iterdir()] == []  # the holder removed its work directory
