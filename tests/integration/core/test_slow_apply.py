"""`chaosml run` with a real command that outlives its step's timeout: it never lands after its
undo, and the journal tells the order (issue 12 §2)."""

from __future__ import annotations

import os
from pathlib import Path

from tests.integration.core.test_cli_commands import chaosml
from tests.integration.core.test_rollback_safety import events, poll

SLOW_MARKER = """
version: 1
title: slow marker
method:
  - fault: process.run
    name: slow marker
    command: [sh, -c, 'sleep 1.5; touch "$1"', slow, "{marker}"]
    undo: [rm, -f, "{marker}"]
    timeout: 0.5s
"""


def _gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


def test_a_command_outliving_its_step_timeout_never_lands_after_its_undo(
    tmp_path: Path, groups: list[int]
) -> None:
    marker = tmp_path / "fault-on"
    experiment = tmp_path / "slow.yaml"
    experiment.write_text(SLOW_MARKER.format(marker=marker))
    journal = tmp_path / "j.jsonl"
    done = chaosml(
        "run", str(experiment), "--journal", str(journal), env={"CHAOSML_LOCK_DIR": str(tmp_path)}
    )
    recorded = events(journal)
    started = [e["pgid"] for e in recorded if e["event"] == "command.started"]
    groups.extend(started)
    assert done.returncode == 5, done.stderr
    # the engine's wait and the command's own timeout end at the same moment: either says so
    said = done.stdout + done.stderr
    assert "did not finish within 0.5s" in said or "command timed out after 0.5s" in said, said
    # the command was stopped at its step's deadline: nothing of it is left to land later
    poll(lambda: all(_gone(pgid) for pgid in started), "the fault command's group to end", 5.0)
    assert not marker.exists()
    order = [
        e["event"]
        for e in recorded
        if e["event"] in {"fault.undo_registered", "fault.apply_overran", "fault.reverted"}
    ]
    assert not [e for e in recorded if e["event"] == "fault.applied"]
    assert order[0] == "fault.undo_registered" and order[-1] == "fault.reverted"
    if "fault.apply_overran" in order:  # the engine stopped waiting first: it waited for the end
        assert order == ["fault.undo_registered", "fault.apply_overran", "fault.reverted"]
        overran = next(e for e in recorded if e["event"] == "fault.apply_overran")
        assert overran["finished"] is True and overran["outcome"] == "failed"
        assert overran["overran_s"] < 1.0  # killed at 0.5 s, not left to run its 1.5 s
    assert next(e for e in recorded if e["event"] == "fault.reverted")["ok"] is True
