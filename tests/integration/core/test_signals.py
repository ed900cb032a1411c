"""Real subprocesses, real signals: the undo runs on SIGINT/SIGTERM; SIGKILL leaves a journal
from which `chaosml rollback` undoes the fault exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.integration.core.interrupts import events

EXPERIMENT = """
version: 1
title: marker fault
method:
  - fault: process.run
    name: create marker
    command: [touch, "{marker}"]
    undo: [rm, -f, "{marker}"]
  - wait: {wait}
"""


def _start(tmp_path: Path, wait: str = "60s") -> tuple[subprocess.Popen[str], Path, Path]:
    marker = tmp_path / "fault-is-active"
    exp = tmp_path / "exp.yaml"
    exp.write_text(EXPERIMENT.format(marker=marker, wait=wait))
    journal = tmp_path / "journal.jsonl"
    env = {**os.environ, "CHAOSML_HALT_FILE": str(tmp_path / "HALT")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "chaosml", "run", str(exp), "--journal", str(journal)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    deadline = time.monotonic() + 30
    while not any(e["event"] == "fault.applied" for e in events(journal)):
        assert time.monotonic() < deadline and proc.poll() is None, "the fault was never applied"
        time.sleep(0.05)
    assert marker.exists()
    return proc, marker, journal


@pytest.fixture
def runner_cleanup() -> Any:
    procs: list[subprocess.Popen[str]] = []
    yield procs
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_signal_during_a_fault_rolls_back_and_exits_130(
    tmp_path: Path, sig: signal.Signals, runner_cleanup: Any
) -> None:
    proc, marker, journal = _start(tmp_path)
    runner_cleanup.append(proc)
    proc.send_signal(sig)
    proc.wait(timeout=30)
    assert proc.returncode == 130
    assert not marker.exists()
    end = events(journal)[-1]
    assert end["event"] == "run.end" and end["status"] == "interrupted"
    assert end["ended_by"] == f"signal:{sig.name}" and end["pending_undos"] == []


def test_sigkill_then_rollback_undoes_once(tmp_path: Path, runner_cleanup: Any) -> None:
    proc, marker, journal = _start(tmp_path)
    runner_cleanup.append(proc)
    watchdog = next(e["pid"] for e in events(journal) if e["event"] == "watchdog.started")
    os.kill(watchdog, signal.SIGKILL)  # its watchdog too: what is tested is a person's rollback
    proc.kill()
    proc.wait(timeout=10)
    assert marker.exists()  # the killed runner left its fault behind
    first = subprocess.run(
        [sys.executable, "-m", "chaosml", "rollback", str(journal)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert first.returncode == 0, first.stderr
    assert not marker.exists()
    marker.touch()  # were the undo run again, it would remove this
    second = subprocess.run(
        [sys.executable, "-m", "chaosml", "rollback", str(journal)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert second.returncode == 0 and "nothing to roll back" in second.stdout
    assert marker.exists()
    marker.unlink()
    reverted = [e for e in events(journal) if e["event"] == "fault.reverted"]
    assert len(reverted) == 1 and reverted[0]["by"] == "rollback-command"


def test_second_signal_skips_rollback_but_writes_the_journal(
    tmp_path: Path, runner_cleanup: Any
) -> None:
    exp = tmp_path / "exp.yaml"
    marker = tmp_path / "slow-undo-marker"
    exp.write_text(f"""
version: 1
title: slow undo
method:
  - fault: process.run
    command: [touch, "{marker}"]
    undo: [sh, -c, "sleep 20; rm -f {marker}"]
  - wait: 60s
""")
    journal = tmp_path / "journal.jsonl"
    proc = subprocess.Popen(
        [sys.executable, "-m", "chaosml", "run", str(exp), "--journal", str(journal)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "CHAOSML_HALT_FILE": str(tmp_path / "HALT")},
    )
    runner_cleanup.append(proc)
    deadline = time.monotonic() + 30
    while not any(e["event"] == "fault.applied" for e in events(journal)):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    while not any(e["event"] == "phase" and e["name"] == "rollback" for e in events(journal)):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=30)
    assert proc.returncode == 6
    end = events(journal)[-1]
    assert end["event"] == "run.end" and end["status"] == "rollback-incomplete"
    assert [p["undo_id"].rsplit(".", 1)[1] for p in end["pending_undos"]] == ["u1"]
    done = subprocess.run(
        [sys.executable, "-m", "chaosml", "rollback", str(journal)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0 and not marker.exists()
