"""The experiment's own ``rollbacks:`` steps are part of the safety net: a signal or the halt
switch that stopped the method (and cancelled the run's token) must not stop them."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest

from tests.integration.core.interrupts import Files, events, spawned, wait_until


def _experiment(files: Files) -> str:
    hold = f'touch "{files.reached}"; while [ ! -e "{files.gate}" ]; do sleep 0.01; done'
    return f"""version: 1
title: rollback steps after a stop
method:
  - probe:
      name: held
      timeout: 60s
      process: {{command: {json.dumps(["sh", "-c", hold])}, timeout: 60s}}
      expect: {{exit_code: 0}}
rollbacks:
  - action: process.run
    name: clean up
    command: ["touch", "{files.rolled}"]
"""


@pytest.mark.parametrize("how", ["SIGINT", "halt"])
def test_rollback_steps_run_after_the_method_was_stopped(tmp_path: Path, how: str) -> None:
    files = Files(tmp_path)
    exp = tmp_path / "exp.yaml"
    exp.write_text(_experiment(files))
    with spawned(["run", str(exp), "--journal", str(files.journal)], files) as proc:
        wait_until(files.reached.exists, "the held probe", proc)
        if how == "halt":
            files.HALT.write_text("test\n")
        else:
            proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
    assert proc.returncode == (130 if how == "SIGINT" else 4)
    assert files.rolled.exists(), "the rollbacks: step did not run"
    steps = [e for e in events(files.journal) if e.get("event") == "rollback.step"]
    assert [(s["name"], s["ok"]) for s in steps] == [("clean up", True)]
