"""After a SIGKILL the watchdog undoes with the run's secrets; none of its output channels —
the journal it completes, JOURNAL.watchdog.log, the host's run index — shows one, even when the
undo fails and its command prints the secret."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.integration.core.interrupts import Files, events, spawned, wait_until

SECRET = "hunter2-watchdog-secret"


def _experiment(marker: Path) -> str:
    return f"""version: 1
title: a secret in an undo that fails under the watchdog
secrets:
  token: ${{env:WATCHDOG_TEST_TOKEN}}
method:
  - fault: process.run
    command: [sh, -c, 'touch "{marker}"; echo applied with $TOKEN >&2']
    undo: [sh, -c, 'rm -f "{marker}"; echo undo failed for $TOKEN >&2; exit 3']
    env: {{TOKEN: "${{token}}"}}
  - wait: 60s
"""


def test_the_watchdog_masks_the_secrets_of_a_failing_undo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = Files(tmp_path)
    marker = tmp_path / "fault"
    exp = tmp_path / "exp.yaml"
    exp.write_text(_experiment(marker))
    monkeypatch.setenv("WATCHDOG_TEST_TOKEN", SECRET)
    monkeypatch.setenv("CHAOSML_RUNS_DIR", str(tmp_path / "runs"))  # the host's run index
    with spawned(["run", str(exp), "--journal", str(files.journal)], files) as proc:
        wait_until(lambda: marker.exists(), "the fault", proc)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        _poll(lambda: _ended(files.journal), "the watchdog's run.end")
    end = events(files.journal)[-1]
    assert end["ended_by"] == "watchdog" and end["exit_code"] == 6  # the undo failed
    assert not marker.exists()  # it ran (and removed the marker) before failing
    written = [p for p in tmp_path.rglob("*") if p.is_file() and p != exp]
    for path in written:
        assert SECRET not in path.read_text(errors="replace"), f"{path} shows the secret"
    assert "***" in files.journal.read_text()  # the failure is there, masked


def _poll(condition: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def _ended(journal: Path) -> bool:
    return journal.exists() and any(e["event"] == "run.end" for e in events(journal))
