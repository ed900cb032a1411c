"""A runner killed while a fault is annotated in the Pushgateway: `chaosml rollback` undoes the
fault and removes its series."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from tests.fixtures.reporting_env import Service
from tests.integration.reporting.test_gameday import journal_events, pushgateway_series


def test_rollback_removes_the_series_a_killed_run_left(
    tmp_path: Path, pushgateway: Service
) -> None:
    marker = tmp_path / "fault-active"
    exp = tmp_path / "exp.yaml"
    exp.write_text(f"""
version: 1
title: annotated fault
method:
  - fault: process.run
    command: [touch, "{marker}"]
    undo: [rm, -f, "{marker}"]
  - wait: 60s
""")
    journal = tmp_path / "j.jsonl"
    env = {
        **os.environ,
        "CHAOSML_PUSHGATEWAY_URL": pushgateway.url,
        "CHAOSML_HALT_FILE": str(tmp_path / "H"),
    }
    runner = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "chaosml",
            "run",
            str(exp),
            "--journal",
            str(journal),
            "--no-watchdog",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while not pushgateway_series(pushgateway.url, "chaosml_fault_active"):
            assert time.monotonic() < deadline and runner.poll() is None, "no series pushed"
            time.sleep(0.1)
    finally:
        runner.kill()
        runner.wait(timeout=10)
    assert marker.exists() and pushgateway_series(pushgateway.url, "chaosml_fault_active")
    done = subprocess.run(
        [sys.executable, "-m", "chaosml", "rollback", str(journal)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert not marker.exists()
    assert pushgateway_series(pushgateway.url, "chaosml_fault_active") == []
    assert [e["by"] for e in journal_events(journal) if e["event"] == "fault.reverted"] == [
        "rollback-command"
    ]
