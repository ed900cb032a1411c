"""`chaosml rollback` with real runs, real processes and real signals: secrets replayed by
reference, journals holding several runs, fault commands still running when the runner died,
concurrent rollbacks, a live run, a torn last line."""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from chaosml.io import procfs
from tests.integration.core.test_cli_commands import chaosml

SECRET = "s3cr3t-Tok3n-9f8e7d"

MARKER_EXPERIMENT = """
version: 1
title: marker fault
method:
  - fault: process.run
    name: create marker
    command: [touch, "{marker}"]
    undo: [sh, -c, 'echo undo >> "$1"; sleep {undo_sleep}; rm -f "$2"', undo, "{count}", "{marker}"]
  - wait: {wait}
"""


def start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "chaosml", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def events(journal: Path) -> list[dict[str, Any]]:
    out = []
    for line in journal.read_text().splitlines() if journal.exists() else []:
        with contextlib.suppress(json.JSONDecodeError):
            out.append(json.loads(line))
    return out


def poll(condition: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


@pytest.fixture
def runners() -> Iterator[list[subprocess.Popen[str]]]:
    procs: list[subprocess.Popen[str]] = []
    yield procs
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()


class Marker:
    """A marker-file fault whose undo counts how often it ran."""

    def __init__(self, tmp: Path, wait: str = "0s", undo_sleep: float = 0) -> None:
        self.marker = tmp / "fault-is-active"
        self.count = tmp / "undo-count"
        self.journal = tmp / "journal.jsonl"
        self.exp = tmp / "exp.yaml"
        self.exp.write_text(
            MARKER_EXPERIMENT.format(
                marker=self.marker, count=self.count, wait=wait, undo_sleep=undo_sleep
            )
        )

    @property
    def undos(self) -> int:
        return len(self.count.read_text().splitlines()) if self.count.exists() else 0

    def kept(self, *extra: str) -> None:
        """Run it with --keep-faults: the journal holds a pending undo and the fault stays."""
        done = chaosml(
            "run", str(self.exp), "--journal", str(self.journal), "--keep-faults", *extra
        )
        assert done.returncode == 0, done.stderr
        assert self.marker.exists()

    def killed(self, runners: list[subprocess.Popen[str]], *extra: str) -> None:
        """Run it (without a watchdog: the person's rollback is tested) and SIGKILL the runner
        once the fault is in place."""
        proc = start("run", str(self.exp), "--journal", str(self.journal), "--no-watchdog", *extra)
        runners.append(proc)
        poll(lambda: self.marker.exists() and proc.poll() is None, "the fault")
        proc.kill()
        proc.wait(timeout=10)

    def cleanup(self) -> None:
        self.marker.unlink(missing_ok=True)


@pytest.fixture
def marker(tmp_path: Path) -> Iterator[Marker]:
    made = Marker(tmp_path)
    yield made
    made.cleanup()


# -- secrets -----------------------------------------------------------------------------------
SECRET_EXPERIMENT = """
version: 1
title: undo that needs a secret
secrets:
  token: ${{env:CHAOSML_TEST_TOKEN}}
method:
  - fault: process.run
    command: [touch, "{marker}"]
    undo: [sh, -c, 'test "$1" = "{expected}" && rm -f "$2"', undo, "${{token}}", "{marker}"]
"""


def test_an_undo_with_a_secret_is_replayed_with_the_secret(tmp_path: Path) -> None:
    marker, journal, exp = tmp_path / "marker", tmp_path / "j.jsonl", tmp_path / "exp.yaml"
    exp.write_text(SECRET_EXPERIMENT.format(marker=marker, expected=SECRET))
    env = {"CHAOSML_TEST_TOKEN": SECRET}
    try:
        ran = chaosml("run", str(exp), "--journal", str(journal), "--keep-faults", env=env)
        assert ran.returncode == 0 and marker.exists(), ran.stderr
        done = chaosml("rollback", str(journal), env=env)
        assert done.returncode == 0, done.stderr
        assert not marker.exists()  # the undo ran with the real secret, not with ***
        text = journal.read_text()
        assert SECRET not in text + done.stdout + done.stderr and "${secret:token}" in text
    finally:
        marker.unlink(missing_ok=True)


def test_rollback_without_the_secret_refuses_and_leaves_the_undo_pending(tmp_path: Path) -> None:
    marker, journal, exp = tmp_path / "marker", tmp_path / "j.jsonl", tmp_path / "exp.yaml"
    exp.write_text(SECRET_EXPERIMENT.format(marker=marker, expected=SECRET))
    env = {"CHAOSML_TEST_TOKEN": SECRET}
    try:
        assert (
            chaosml("run", str(exp), "--journal", str(journal), "--keep-faults", env=env).returncode
            == 0
        )
        refused = chaosml("rollback", str(journal))  # without the secret's variable
        assert refused.returncode == 2
        assert "CHAOSML_TEST_TOKEN" in refused.stderr and "Traceback" not in refused.stderr
        assert marker.exists()
        assert not [e for e in events(journal) if e["event"] == "fault.reverted"]
        done = chaosml("rollback", str(journal), env=env)
        assert done.returncode == 0 and not marker.exists(), done.stderr
    finally:
        marker.unlink(missing_ok=True)


# -- several runs in one journal -----------------------------------------------------------------
def test_a_used_journal_path_is_refused_without_append(marker: Marker) -> None:
    marker.kept()
    before = marker.journal.read_bytes()
    again = chaosml("run", str(marker.exp), "--journal", str(marker.journal))
    assert again.returncode == 2
    assert str(marker.journal) in again.stderr and "--append-journal" in again.stderr
    assert marker.journal.read_bytes() == before


def test_rollback_of_an_appended_run_whose_ids_repeat_an_earlier_run(
    tmp_path: Path, runners: list[subprocess.Popen[str]]
) -> None:
    quick = Marker(tmp_path)
    try:
        assert chaosml("run", str(quick.exp), "--journal", str(quick.journal)).returncode == 0
        assert not quick.marker.exists() and quick.undos == 1  # the first run undid its fault
        slow = Marker(tmp_path, wait="60s")  # the same fault, marker, counter and journal
        slow.killed(runners, "--append-journal")
        done = chaosml("rollback", str(slow.journal))
        assert done.returncode == 0, done.stderr
        assert "nothing to roll back" not in done.stdout
        assert not slow.marker.exists() and slow.undos == 2
        registered = [e for e in events(slow.journal) if e["event"] == "fault.undo_registered"]
        assert len({e["undo_id"] for e in registered}) == 2
    finally:
        quick.cleanup()


# -- a fault command still running when the runner died ----------------------------------------
SLOW_FAULT = """
version: 1
title: slow fault command
method:
  - fault: process.run
    timeout: 60s
    command: [sh, -c, 'echo $$$$ > "$1"; while [ ! -e "$2" ]; do sleep 0.05; done; touch "$3"',
              fault, "{pidfile}", "{release}", "{marker}"]
    undo: [rm, -f, "{marker}"]
"""


def test_rollback_kills_a_fault_command_the_killed_runner_left_running(
    tmp_path: Path, runners: list[subprocess.Popen[str]], groups: list[int]
) -> None:
    pidfile, release, marker = tmp_path / "pid", tmp_path / "release", tmp_path / "marker"
    exp, journal = tmp_path / "exp.yaml", tmp_path / "j.jsonl"
    exp.write_text(SLOW_FAULT.format(pidfile=pidfile, release=release, marker=marker))
    proc = start("run", str(exp), "--journal", str(journal), "--no-watchdog")  # a person's job
    runners.append(proc)
    poll(lambda: procfs.read_pid_file(pidfile) is not None, "the fault command")
    pgid = int(pidfile.read_text())
    groups.append(pgid)
    proc.kill()
    proc.wait(timeout=10)
    assert procfs.alive(pgid)  # the command outlives its runner
    done = chaosml("rollback", str(journal))
    assert done.returncode == 0, done.stderr
    assert "killed a command the run left running" in done.stdout
    from chaosml.engine.leftovers import members

    assert not members(pgid) and not procfs.alive(pgid)
    release.touch()  # were the command still there, it would now apply its fault
    assert not marker.exists()
    started = [e for e in events(journal) if e["event"] == "command.started"]
    assert started[0]["pgid"] == pgid  # journaled before it ran


def test_a_command_whose_runner_dies_before_journaling_it_never_starts(tmp_path: Path) -> None:
    """The gate: the command waits for the journal line; EOF (a dead runner) means never."""
    from chaosml.io import subprocesses

    ran = tmp_path / "ran"

    def runner_dies(pgid: int, start_time: str, command: str) -> None:
        raise KeyboardInterrupt  # as if the runner were killed before the journal write

    with pytest.raises(KeyboardInterrupt), subprocesses.journaled(runner_dies):
        subprocesses.run(["touch", str(ran)], timeout=10)
    time.sleep(0.2)
    assert not ran.exists()


# -- concurrency and a live run -----------------------------------------------------------------
def test_two_rollbacks_at_once_run_each_undo_once(tmp_path: Path) -> None:
    made = Marker(tmp_path, undo_sleep=2)
    try:
        made.kept()
        both = [start("rollback", str(made.journal)) for _ in range(2)]
        results = [(p.wait(timeout=60), *p.communicate()) for p in both]
        assert made.undos == 1 and not made.marker.exists()
        codes = sorted(code for code, _, _ in results)
        assert codes == [0, 0], results  # the second waits for the first (--wait, 30 s)
        outs = sorted(out for _, out, _ in results)
        assert "nothing to roll back" in outs[1] or "nothing to roll back" in outs[0]
    finally:
        made.cleanup()


def test_a_rollback_told_not_to_wait_is_refused_naming_the_one_at_work(tmp_path: Path) -> None:
    made = Marker(tmp_path, undo_sleep=15)  # far longer than a loaded machine takes to start one
    try:
        made.kept()
        first = start("rollback", str(made.journal))
        poll(lambda: lock_holder(made.journal) == first.pid, "the first rollback's lock")
        second = chaosml("rollback", "--wait", "0", str(made.journal))
        assert second.returncode == 2
        assert f"another chaosml rollback (pid {first.pid})" in second.stderr
        assert first.wait(timeout=60) == 0 and made.undos == 1
    finally:
        made.cleanup()


def lock_holder(journal: Path) -> int | None:
    text = (
        journal.with_name(journal.name + ".lock").read_text()
        if journal.with_name(journal.name + ".lock").exists()
        else ""
    )
    return int(text) if text.strip().isdigit() else None


def test_rollback_refuses_while_the_run_is_alive_unless_forced(
    tmp_path: Path, runners: list[subprocess.Popen[str]]
) -> None:
    marker = Marker(tmp_path, wait="60s")
    proc = start("run", str(marker.exp), "--journal", str(marker.journal))
    runners.append(proc)
    poll(lambda: marker.marker.exists(), "the fault")
    refused = chaosml("rollback", str(marker.journal))
    assert refused.returncode == 2 and f"pid {proc.pid}" in refused.stderr
    assert marker.marker.exists() and marker.undos == 0
    forced = chaosml("rollback", "--force", str(marker.journal))
    assert forced.returncode == 0 and not marker.marker.exists(), forced.stderr
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    marker.cleanup()


# -- a torn last line --------------------------------------------------------------------------
def test_a_torn_last_line_is_dropped_and_a_second_rollback_does_nothing(marker: Marker) -> None:
    marker.kept()
    with marker.journal.open("a") as handle:
        handle.write('{"event": "observe.sample", "seq": 99, "run_id": "x", "na')  # power loss
    first = chaosml("rollback", str(marker.journal))
    assert first.returncode == 0 and not marker.marker.exists(), first.stderr
    assert "torn" in first.stdout
    second = chaosml("rollback", str(marker.journal))
    assert second.returncode == 0 and "nothing to roll back" in second.stdout
    assert marker.undos == 1
    report = chaosml("report", str(marker.journal))
    assert report.returncode == 0, report.stderr


def test_a_journaled_group_whose_pid_was_reused_is_not_killed(groups: list[int]) -> None:
    from chaosml.engine.leftovers import CommandGroup, kill_leftovers

    proc = subprocess.Popen(["sleep", "30"], start_new_session=True)
    groups.append(proc.pid)
    real = procfs.start_time(proc.pid)
    reused = CommandGroup(proc.pid, str(int(real) - 1), "an older command with the same pid")
    assert kill_leftovers([reused]) == [] and proc.poll() is None
    ours = CommandGroup(proc.pid, real, "sleep 30")
    assert kill_leftovers([ours]) == [(ours, True)]
    assert proc.wait(timeout=5) == -signal.SIGKILL
