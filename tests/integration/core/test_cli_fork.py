"""A ``python -m chaosml`` forked by the test zygote (tests/fixtures/cli_fork.py) is what a fresh
interpreter would be, as the test sees it: output, exit status, signals, environment, working
directory, session; and only eligible commands are forked."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.fixtures.cli_fork import SWITCH, Answers, ForkedCliPopen, RealPopen

NOOP = "version: 1\ntitle: no-op\nmethod:\n  - wait: 0s\n"
WAIT = "version: 1\ntitle: waits\nmethod:\n  - wait: 60s\n"
CHAOSML = [sys.executable, "-m", "chaosml"]
Spawn = Callable[..., subprocess.Popen[str]]
BOTH = pytest.mark.parametrize("popen", [RealPopen, ForkedCliPopen], ids=["fresh", "forked"])


@pytest.fixture(autouse=True)
def _forking_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SWITCH, raising=False)


def parent_of(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat[stat.rindex(")") + 2 :].split()[1])


def run(popen: Spawn, args: list[str], **kwargs: object) -> tuple[int, str, str]:
    with popen([*CHAOSML, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
               **kwargs) as proc:  # fmt: skip
        out, err = proc.communicate(timeout=60)
    return proc.returncode, out, err


@BOTH
def test_a_run_writes_its_journal_in_the_working_directory(popen: Spawn, tmp_path: Path) -> None:
    (tmp_path / "noop.yaml").write_text(NOOP)
    code, out, err = run(popen, ["run", "noop.yaml", "--no-watchdog"], cwd=tmp_path)
    assert (code, err) == (0, "")
    assert "COMPLETED (exit 0)" in out
    assert len(list((tmp_path / "chaosml-journals").glob("*.jsonl"))) == 1


@BOTH
def test_the_environment_given_is_the_one_chaosml_reads(popen: Spawn, tmp_path: Path) -> None:
    (tmp_path / "noop.yaml").write_text(NOOP)
    halt = tmp_path / "HALT"
    halt.write_text("drill freeze\n")
    env = {**os.environ, "CHAOSML_HALT_FILE": str(halt)}
    code, out, _err = run(popen, ["run", "noop.yaml", "--no-watchdog"], cwd=tmp_path, env=env)
    assert code == 2
    assert "the halt switch is on" in out and "drill freeze" in out


@BOTH
def test_bad_input_and_usage_errors_exit_2_with_the_same_words(
    popen: Spawn, tmp_path: Path
) -> None:
    fresh = run(RealPopen, ["validate", "missing.yaml"], cwd=tmp_path)
    assert run(popen, ["validate", "missing.yaml"], cwd=tmp_path) == fresh
    assert fresh[0] == 2 and "missing.yaml" in fresh[2]
    assert run(popen, ["no-such-command"], cwd=tmp_path)[0] == 2


@BOTH
def test_a_missing_working_directory_raises_as_popen_does(popen: Spawn, tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        run(popen, ["--version"], cwd=tmp_path / "missing")


@BOTH
def test_sigterm_mid_run_rolls_back_and_exits_130(popen: Spawn, tmp_path: Path) -> None:
    (tmp_path / "wait.yaml").write_text(WAIT)
    with popen([*CHAOSML, "run", "wait.yaml", "--no-watchdog"], cwd=tmp_path,
               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as proc:  # fmt: skip
        assert proc.stdout is not None
        for line in proc.stdout:
            if "── method" in line:
                break
        proc.send_signal(signal.SIGTERM)
        rest = proc.stdout.read()
    assert proc.returncode == 130
    assert "interrupted by SIGTERM during method" in rest


@BOTH
def test_kill_timeout_and_a_new_session(popen: Spawn, tmp_path: Path) -> None:
    (tmp_path / "wait.yaml").write_text(WAIT)
    argv = [*CHAOSML, "run", "wait.yaml", "--no-watchdog"]
    with popen(argv, cwd=tmp_path, stdout=subprocess.DEVNULL, start_new_session=True) as proc:
        assert os.getsid(proc.pid) == proc.pid
        with pytest.raises(subprocess.TimeoutExpired):
            proc.wait(0.2)
        assert proc.poll() is None
        proc.kill()
        assert proc.wait(10) == -signal.SIGKILL


def test_only_eligible_commands_are_forked(tmp_path: Path) -> None:
    (tmp_path / "wait.yaml").write_text(WAIT)
    forked = []
    for argv, env in [
        ([*CHAOSML, "run", "wait.yaml", "--no-watchdog"], None),
        ([sys.executable, "-c", "import time; time.sleep(60)"], None),
        ([*CHAOSML, "run", "wait.yaml", "--no-watchdog"], {**os.environ, "PYTHONWARNINGS": "error"}),
    ]:  # fmt: skip
        with ForkedCliPopen(argv, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL) as proc:
            forked.append(parent_of(proc.pid) != os.getpid())
            proc.kill()
    assert forked == [True, False, False]


def test_the_switch_turns_forking_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SWITCH, "0")
    (tmp_path / "wait.yaml").write_text(WAIT)
    argv = [*CHAOSML, "run", "wait.yaml", "--no-watchdog"]
    with ForkedCliPopen(argv, cwd=tmp_path, stdout=subprocess.DEVNULL) as proc:
        assert parent_of(proc.pid) == os.getpid()
        proc.kill()


def test_the_pid_and_exit_answers_are_read_apart_when_they_arrive_together() -> None:
    """A child that ends at once: the zygote's two answers come in one read (seen under load)."""
    ours, zygotes = socket.socketpair()
    with ours, zygotes:
        zygotes.sendall(b"pid 4242\nexit 2\n")
        answers = Answers(ours)
        assert [answers.line(5.0), answers.line(5.0)] == ["pid 4242", "exit 2"]
        zygotes.shutdown(socket.SHUT_WR)
        assert answers.line(5.0) == ""
