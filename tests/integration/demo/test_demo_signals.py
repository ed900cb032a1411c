"""Ctrl-C (SIGINT) or SIGTERM in the middle of ``chaosml demo``: the running drill rolls back,
the stack is stopped, the command exits 130, and nothing is left behind."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

import pytest

from chaosml.demo.monitoring import binaries_available
from tests.fixtures.demo_env import DemoRun, docker_available
from tests.fixtures.services import require

pytestmark = [pytest.mark.prometheus, pytest.mark.slow]

STARTING = "starting the example ML stack"
FAULT_APPLIED = "⚡ fault"


class Output:
    """The demo's output, read on a thread, so a test can wait for a line with a deadline."""

    def __init__(self, stream: IO[str]) -> None:
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self.lines.append(line)

    def wait_for(self, fragment: str, within: float) -> None:
        deadline = time.monotonic() + within
        while not any(fragment in line for line in self.lines):
            assert time.monotonic() < deadline, f"no {fragment!r} in:\n{self.text}"
            time.sleep(0.05)

    @property
    def text(self) -> str:
        return "".join(self.lines)

    def close(self) -> None:
        self._thread.join(timeout=10)


def start_demo(demo_run: DemoRun, *args: str) -> tuple[subprocess.Popen[str], Output]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "chaosml", "demo", *args],
        cwd=demo_run.root,
        env=demo_run.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None
    return proc, Output(proc.stdout)


def interrupt(proc: subprocess.Popen[str], output: Output, signum: signal.Signals) -> int:
    proc.send_signal(signum)
    try:
        code = proc.wait(timeout=90)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    output.close()
    return code


def journals(out: Path) -> list[list[dict[str, object]]]:
    files = sorted((out / "journals").glob("*.jsonl"))
    return [[json.loads(line) for line in f.read_text().splitlines()] for f in files]


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_during_a_drill_rolls_it_back_and_stops_everything(
    demo_run: DemoRun, signum: signal.Signals
) -> None:
    require(binaries_available(), "prometheus and prometheus-alertmanager")
    proc, output = start_demo(demo_run)
    output.wait_for(FAULT_APPLIED, within=90)
    code = interrupt(proc, output, signum)
    assert code == 130, output.text
    (events,) = journals(demo_run.out)  # the first drill ran, no other started
    end = events[-1]
    assert end["event"] == "run.end" and end["status"] == "interrupted", output.text
    reverted = [e for e in events if e["event"] == "fault.reverted"]
    assert reverted and all(e["ok"] for e in reverted), output.text
    assert "interrupted" in output.text.split("chaosml demo: verdicts", 1)[1]
    assert demo_run.leftover_processes() == []
    assert demo_run.leftover_files() == []


@pytest.mark.docker
def test_ctrl_c_during_a_docker_drill_removes_the_containers(demo_run: DemoRun) -> None:
    require(docker_available(), "the Docker engine")
    require(binaries_available(), "prometheus and prometheus-alertmanager")
    proc, output = start_demo(demo_run, "--docker")
    output.wait_for(FAULT_APPLIED, within=90)
    assert demo_run.leftover_containers(), "the demo's containers should be running now"
    code = interrupt(proc, output, signal.SIGINT)
    assert code == 130, output.text
    assert demo_run.leftover_containers() == []
    assert demo_run.leftover_processes() == []
    assert demo_run.leftover_files() == []


def test_ctrl_c_while_the_stack_starts_stops_what_started(demo_run: DemoRun) -> None:
    proc, output = start_demo(demo_run)
    output.wait_for(STARTING, within=30)
    demo_run.wait_for_processes(3, within=30)  # the demo, its proxy and a first service
    code = interrupt(proc, output, signal.SIGINT)
    assert code == 130, output.text
    assert "interrupted" in output.text
    assert demo_run.leftover_processes() == []
    assert demo_run.leftover_files() == []


def test_without_prometheus_the_drills_check_the_alerts_signals_instead(
    demo_run: DemoRun,
) -> None:
    bin_dir = demo_run.root / "bin"  # a PATH with a shell and no monitoring binaries
    bin_dir.mkdir()
    (bin_dir / "sh").symlink_to("/bin/sh")
    env = {**demo_run.env(), "PATH": str(bin_dir)}
    done = subprocess.run(
        [sys.executable, "-m", "chaosml", "demo"],
        cwd=demo_run.root,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "prometheus and prometheus-alertmanager are not both on the PATH" in output
    table = output.split("chaosml demo: verdicts", 1)[1]
    seen = [line for line in table.splitlines() if line.endswith(" metric seen")]
    assert len(seen) == 4, table
    assert "no alert was checked" in table
    assert demo_run.leftover_processes() == []
    assert demo_run.leftover_files() == []
