"""The interrupt matrix: every phase by every way to stop a real `chaosml run` subprocess.

Phases: blast radius, steady state, a fault whose command still runs, a wait, a probe, the
rollback, the recovery. Ways: SIGINT, SIGTERM, a double SIGINT, the halt switch, SIGKILL
followed by `chaosml rollback JOURNAL`. Each case asserts the exact exit code, that no fault is
left in place (the marker file), that the journal ends with `run.end` and that stderr carries no
traceback or asyncio noise (docs/signals.md).
"""

from __future__ import annotations

import signal
import time
from pathlib import Path
from typing import Any

import pytest

from tests.integration.core.interrupts import (
    FAULT_IN_PLACE,
    PHASES,
    Files,
    HangingDocker,
    events,
    experiment,
    reached,
    rollback,
    send,
    spawned,
    wait_until,
)

WAYS = ("SIGINT", "SIGTERM", "double-SIGINT", "halt", "SIGKILL")
STATUS_FOR_CODE = {130: "interrupted", 4: "aborted", 6: "rollback-incomplete"}


def expected_exit(phase: str, how: str) -> int:
    if how == "halt":
        return 4
    if how == "double-SIGINT" and phase in FAULT_IN_PLACE:
        return 6  # the second signal skipped the undo still running
    return 130


def _undo_gate_open_at_start(phase: str, how: str) -> bool:
    """Closed when the test must catch the rollback mid-way."""
    return phase != "rollback" and not (how == "double-SIGINT" and phase in FAULT_IN_PLACE)


@pytest.fixture
def files(tmp_path: Path) -> Files:
    return Files(tmp_path)


@pytest.mark.parametrize("how", WAYS)
@pytest.mark.parametrize("phase", PHASES)
def test_interrupt_matrix(files: Files, phase: str, how: str) -> None:
    exp = files.root / "exp.yaml"
    exp.write_text(experiment(phase, files))
    if _undo_gate_open_at_start(phase, how):
        files.undo_gate.touch()
    docker = HangingDocker(files.docker_sock)
    try:
        args = ["run", str(exp), "--journal", str(files.journal), *_watchdog(how)]
        with spawned(args, files) as proc:
            in_phase = docker.connected if phase == "blast-radius" else reached(phase, files)
            wait_until(in_phase, f"the {phase} phase", proc)
            sent = _interrupt(proc, phase, how, files)
            code, stderr = _finished(proc)
        _assert_outcome(code, stderr, phase, how, files)
        if how != "SIGKILL":
            _assert_quick(phase, how, sent, files.journal)
    finally:
        docker.close()
    assert not files.marker.exists(), "a fault was left in place"


def _finished(proc: Any) -> tuple[int, str]:
    proc.wait(timeout=30)
    return proc.returncode, proc.stderr.read() if proc.stderr else ""


def _assert_outcome(code: int, stderr: str, phase: str, how: str, files: Files) -> None:
    """The exact exit code and journal ending; after SIGKILL, `chaosml rollback` cleans up."""
    if how == "SIGKILL":
        _assert_rolled_back_after_kill(code, files)
    else:
        _assert_ended(code, expected_exit(phase, how), phase, how, files)
    _assert_quiet(stderr)


def _interrupt(proc: Any, phase: str, how: str, files: Files) -> float:
    if how == "double-SIGINT":  # two signals sent at once may arrive as one: one at a time
        sent = send(proc, "SIGINT", files)
        wait_until(lambda: _stopped(files.journal), "run.stop", proc)
        if phase in FAULT_IN_PLACE:
            wait_until(files.undo_reached.exists, "the undo", proc)
        proc.send_signal(signal.SIGINT)  # after run.end too: the outcome written stands
    else:
        sent = send(proc, how, files)
    if phase == "rollback" and how not in ("double-SIGINT", "SIGKILL"):
        time.sleep(0.05)  # the signal lands while the undo still runs
        files.undo_gate.touch()
    return sent


def _stopped(journal: Path) -> bool:
    return any(e["event"] == "run.stop" for e in events(journal))


def _assert_ended(code: int, expected: int, phase: str, how: str, files: Files) -> None:
    end = events(files.journal)[-1]
    assert end["event"] == "run.end", f"no run.end after {how} in {phase}"
    assert (code, end["exit_code"]) == (expected, expected), end["reason"]
    assert end["status"] == STATUS_FOR_CODE[expected]
    assert end["ended_by"] == (
        "halt" if how == "halt" else "signal:SIGTERM" if how == "SIGTERM" else "signal:SIGINT"
    )
    assert end["summary"]["score"] is None and "recovery" in end["summary"]["not_run"]
    phases = [e["name"] for e in events(files.journal) if e["event"] == "phase"]
    if phase != "recovery":
        assert "recovery" not in phases, "recovery ran after the run was stopped"
    if expected == 6:  # the skipped undo is journaled pending; `chaosml rollback` finishes it
        assert [p["undo_id"].split(".")[-1] for p in end["pending_undos"]] == ["u1"]
        files.undo_gate.touch()
        done = rollback(files.journal, files)
        assert done.returncode == 0, done.stdout + done.stderr


def _assert_quick(phase: str, how: str, sent: float, journal: Path) -> None:
    """The run ends within 1 s of the signal (the undos of a rollback in progress excepted)."""
    if phase == "rollback" or (how == "double-SIGINT" and phase in FAULT_IN_PLACE):
        return
    end = events(journal)[-1]
    assert end["wall"] - sent < 1.0, f"run.end {end['wall'] - sent:.2f}s after the {how}"


def _watchdog(how: str) -> list[str]:
    """SIGKILL + `chaosml rollback` is a person's rollback: no watchdog races it for the
    journal's lock (the watchdog's own SIGKILL trials are in tests/integration/watchdog)."""
    return ["--no-watchdog"] if how == "SIGKILL" else []


def _assert_rolled_back_after_kill(code: int, files: Files) -> None:
    assert code == -signal.SIGKILL
    files.undo_gate.touch()
    done = rollback(files.journal, files)
    assert done.returncode == 0, done.stdout + done.stderr


def _assert_quiet(stderr: str) -> None:
    for noise in ("Traceback", "Future exception", "Task was destroyed", "never retrieved"):
        assert noise not in stderr, stderr


GAMEDAY_PHASES = ("steady-state", "fault", "rollback", "recovery")


@pytest.mark.parametrize("how", WAYS)
@pytest.mark.parametrize("phase", GAMEDAY_PHASES)
def test_gameday_interrupt_matrix(files: Files, phase: str, how: str) -> None:
    """Stopped in experiment 1 (any phase, recovery included): experiment 2 never starts."""
    second = files.root / "second-fault"
    (files.root / "one.yaml").write_text(experiment(phase, files, "first"))
    (files.root / "two.yaml").write_text(
        f"version: 1\ntitle: second\nmethod:\n  - fault: process.run\n"
        f'    command: [touch, "{second}"]\n    undo: [rm, -f, "{second}"]\n'
    )
    plan = files.root / "plan.yaml"
    plan.write_text(
        "version: 1\ntitle: drill\nexperiments:\n  - path: one.yaml\n  - path: two.yaml\n"
    )
    if _undo_gate_open_at_start(phase, how):
        files.undo_gate.touch()
    args = ["gameday", str(plan), "--journal-dir", str(files.root / "journals"), *_watchdog(how)]
    with spawned(args, files) as proc:
        wait_until(lambda: _link_journal(files), "experiment 1's journal", proc)
        wait_until(reached(phase, files), f"the {phase} phase of experiment 1", proc)
        _interrupt(proc, phase, how, files)
        code, stderr = _finished(proc)
    _assert_outcome(code, stderr, phase, how, files)
    assert not second.exists() and not list((files.root / "journals").glob("*/02-*"))
    assert not files.marker.exists(), "a fault was left in place"


def _link_journal(files: Files) -> bool:
    """``files.journal`` names experiment 1's journal, wherever the drill put it."""
    found = list((files.root / "journals").glob("*/01-one.jsonl"))
    if found and not files.journal.exists():
        files.journal.symlink_to(found[0])
    return bool(found)


def test_run_of_several_experiments_starts_no_other_after_a_signal(files: Files) -> None:
    """`chaosml run one.yaml two.yaml`: SIGINT in one's recovery; two is never started."""
    second = files.root / "second-fault"
    (files.root / "one.yaml").write_text(experiment("recovery", files, "first"))
    (files.root / "two.yaml").write_text(
        f"version: 1\ntitle: second\nmethod:\n  - fault: process.run\n"
        f'    command: [touch, "{second}"]\n    undo: [rm, -f, "{second}"]\n'
    )
    files.undo_gate.touch()
    journals = files.root / "journals"
    args = ["run", str(files.root / "one.yaml"), str(files.root / "two.yaml")]
    with spawned([*args, "--journal-dir", str(journals)], files) as proc:
        wait_until(reached("recovery", files), "the recovery of experiment 1", proc)
        proc.send_signal(signal.SIGINT)
        code, stderr = _finished(proc)
    assert code == 130 and "two.yaml: not started: interrupted by SIGINT" in stderr
    assert len(list(journals.glob("*.jsonl"))) == 1 and not second.exists()
    _assert_quiet(stderr)
