"""Local processes under the blast radius (issue 11): limits, protected pids, dry run, locks.

Real processes: sleepers carrying a marker in their command line, killed at the end of every
test whatever happened.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from chaosml.contract.context import DriverContext
from chaosml.io import procfs
from tests.integration.docker.cli import chaosml, journal

Sleepers = Callable[[int], list[subprocess.Popen[bytes]]]


@pytest.fixture
def marker() -> str:
    return f"chaosml-test-victim-{os.getpid()}-{time.monotonic_ns()}"


@pytest.fixture
def sleepers(marker: str) -> Iterator[Sleepers]:
    started: list[subprocess.Popen[bytes]] = []

    def start(count: int) -> list[subprocess.Popen[bytes]]:
        code = f"import time; time.sleep(300)  # {marker}"
        started.extend(
            subprocess.Popen([sys.executable, "-c", code], start_new_session=True)
            for _ in range(count)
        )
        assert procfs.wait_until(lambda: len(_matching(marker)) >= len(started), 10)
        return started

    yield start
    for proc in started:
        proc.kill()
        proc.wait()


def _matching(marker: str) -> list[int]:
    return [p for p in procfs.other_pids() if marker in procfs.command_line(p)]


def _experiment(tmp_path: Path, marker: str, extra: str = "", wait: str = "0s") -> Path:
    exp = tmp_path / "exp.yaml"
    exp.write_text(
        textwrap.dedent(f"""\
            version: 1
            title: kill the victims
            method:
              - wait: {wait}
              - fault: process.kill
                pattern: "{marker}"
                signal: SIGKILL
            """)
        + textwrap.indent(extra, "    ")
    )
    return exp


def test_dry_run_lists_the_matching_processes_and_touches_none(
    tmp_path: Path, marker: str, sleepers: Sleepers
) -> None:
    procs = sleepers(3)
    done = chaosml(
        "run", str(_experiment(tmp_path, marker)), "--dry-run", "--journal-dir", str(tmp_path)
    )
    assert done.returncode == 0, done.stderr
    for proc in procs:
        assert f"pid {proc.pid} " in done.stdout
    assert "method[1]    process       3    3" in done.stdout
    assert all(proc.poll() is None for proc in procs)


def test_count_picks_that_many_matches(tmp_path: Path, marker: str, sleepers: Sleepers) -> None:
    procs = sleepers(3)
    done = chaosml(
        "run", str(_experiment(tmp_path, marker, "count: 1\n")), "--journal-dir", str(tmp_path)
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert procfs.wait_until(lambda: sum(p.poll() is not None for p in procs) == 1, 10)
    time.sleep(0.2)
    assert sum(p.poll() is None for p in procs) == 2


@pytest.mark.parametrize(
    ("limits", "refusal"),
    [
        ("count: 3\nmax_percent: 50\n", "above max_percent 50"),
        ("min_matches: 4\n", "min_matches is 4"),
        ("count: 4\n", "count 4 but only 3 match"),
    ],
)
def test_limits_refuse_and_touch_nothing(
    tmp_path: Path, marker: str, sleepers: Sleepers, limits: str, refusal: str
) -> None:
    procs = sleepers(3)
    done = chaosml(
        "run", str(_experiment(tmp_path, marker, limits)), "--journal-dir", str(tmp_path)
    )
    assert done.returncode == 2
    assert refusal in done.stdout + done.stderr
    assert all(proc.poll() is None for proc in procs)


def test_never_its_own_ancestors(tmp_path: Path, marker: str) -> None:
    """A pattern that matches the shell chaosml runs under: refused, the shell lives on."""
    exp = _experiment(tmp_path, marker)
    script = f"{sys.executable} -m chaosml run {exp} --journal-dir {tmp_path}; echo exit=$?"
    done = subprocess.run(
        ["sh", "-c", f"{script} # {marker}"], capture_output=True, text=True, timeout=60
    )
    assert "exit=2" in done.stdout, done.stdout + done.stderr
    assert "nothing matches" in done.stdout + done.stderr


def test_pid_1_and_chaosml_itself_are_never_candidates(tmp_path: Path) -> None:
    from chaosml.drivers.process_target import ProcessSelector, ProcessTarget

    target = ProcessTarget()
    for pid in (1, os.getpid(), os.getppid()):
        pid_file = tmp_path / f"{pid}.pid"
        pid_file.write_text(f"{pid}\n")
        assert target.candidates(ProcessSelector(pid_file=str(pid_file)), DriverContext("r")) == []


def _in_phase(path: Path, name: str) -> bool:
    return any(e.get("name") == name for e in journal(path) if e["event"] == "phase")


def test_two_copies_on_the_same_local_process_do_not_run_at_once(
    tmp_path: Path, marker: str, sleepers: Sleepers
) -> None:
    procs = sleepers(1)
    first_exp = _experiment(tmp_path, marker, wait="30s")
    copy_dir = tmp_path / "copy"
    copy_dir.mkdir()
    second_exp = copy_dir / "exp.yaml"
    second_exp.write_text(first_exp.read_text())
    journal_path = tmp_path / "first.jsonl"
    first = subprocess.Popen(
        [sys.executable, "-m", "chaosml", "run", str(first_exp), "--journal", str(journal_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert procfs.wait_until(lambda: _in_phase(journal_path, "method"), 20)
        second = chaosml("run", str(second_exp), "--journal-dir", str(tmp_path))
        assert second.returncode == 2
        assert "locked by run" in second.stdout and f"pid {first.pid}" in second.stdout
        assert procs[0].poll() is None
    finally:
        first.send_signal(signal.SIGTERM)
        first.wait(timeout=30)


def _declared(tmp_path: Path, marker: str, waiver: str) -> Path:
    exp = tmp_path / "declared.yaml"
    exp.write_text(
        textwrap.dedent(f"""\
            version: 1
            title: kill one of the victims
            blast_radius:
              targets:
                victims:
                  process: {{pattern: "{marker}"}}
                  {waiver}
                  count: 1
                  min_matches: 2
            method:
              - fault: process.kill
                target: victims
                signal: SIGKILL
            """)
    )
    return exp


def test_a_declared_process_target_takes_the_same_limits(
    tmp_path: Path, marker: str, sleepers: Sleepers
) -> None:
    procs = sleepers(2)
    done = chaosml(
        "run",
        str(_declared(tmp_path, marker, "require_label: null")),
        "--journal-dir",
        str(tmp_path),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert procfs.wait_until(lambda: sum(p.poll() is not None for p in procs) == 1, 10)
    assert sum(p.poll() is None for p in procs) == 1


def test_a_declared_process_target_needs_the_opt_in_waived(
    tmp_path: Path, marker: str, sleepers: Sleepers
) -> None:
    procs = sleepers(2)
    done = chaosml("run", str(_declared(tmp_path, marker, "")), "--journal-dir", str(tmp_path))
    assert done.returncode == 2
    assert "carrying the opt-in label chaosml.io/allow=true" in done.stdout + done.stderr
    assert all(proc.poll() is None for proc in procs)
