"""Bad input at the command line (issue 11): exit 2, a message naming what and where, no
traceback — and nothing run, no journal left behind."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from tests.integration.docker.cli import chaosml


def _refused(done: subprocess.CompletedProcess[str], *texts: str) -> None:
    out = done.stdout + done.stderr
    assert done.returncode == 2, out
    assert "Traceback" not in out
    for text in texts:
        assert text in out


@pytest.mark.parametrize("args", [(), ("--clear",)])
def test_halt_file_that_cannot_be_written_is_named(tmp_path: Path, args: tuple[str, ...]) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    path = blocker / "HALT"
    if args:  # --clear: the "file" is a directory, it cannot be removed
        path = tmp_path / "HALT"
        path.mkdir()
    done = chaosml("halt", "--scope", "user", *args, env={"CHAOSML_HALT_FILE": str(path)})
    _refused(done, f"the halt file {path}")


@pytest.mark.parametrize("command", ["run", "validate"])
def test_var_that_is_not_declared_is_refused_with_a_suggestion(
    tmp_path: Path, command: str
) -> None:
    exp = tmp_path / "exp.yaml"
    exp.write_text("version: 1\ntitle: t\nvars:\n  model: http://x\nmethod:\n  - wait: 0s\n")
    journal = ("--journal-dir", str(tmp_path)) if command == "run" else ()
    done = chaosml(command, str(exp), "--var", "modle=http://y", *journal)
    _refused(done, f"{exp}:3:1", "var 'modle'", "did you mean 'model'?")
    assert not list(tmp_path.glob("*.jsonl"))


def test_a_declared_var_is_still_overridden(tmp_path: Path) -> None:
    exp = tmp_path / "exp.yaml"
    exp.write_text("version: 1\ntitle: t\nvars:\n  pause: 5m\nmethod:\n  - wait: ${pause}\n")
    done = chaosml("run", str(exp), "--var", "pause=0s", "--journal-dir", str(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_file_over_the_size_limit_is_refused_at_once(tmp_path: Path) -> None:
    exp = tmp_path / "big.yaml"
    filler = "# " + "x" * 1000 + "\n"
    exp.write_text("version: 1\ntitle: t\nmethod:\n  - wait: 0s\n" + filler * 50_000)
    started = time.monotonic()
    done = chaosml("validate", str(exp))
    assert time.monotonic() - started < 10
    _refused(done, "larger than 1,000,000 bytes", "CHAOSML_MAX_FILE_BYTES")
    raised = chaosml("validate", str(exp), env={"CHAOSML_MAX_FILE_BYTES": "60000000"})
    assert raised.returncode == 0, raised.stderr


@pytest.mark.parametrize("wait", [".inf", "9" * 310 + "s", ".nan"])
def test_an_endless_wait_is_refused_before_the_run(tmp_path: Path, wait: str) -> None:
    exp = tmp_path / "exp.yaml"
    exp.write_text(f"version: 1\ntitle: t\nmethod:\n  - wait: {wait}\n")
    journal = tmp_path / "run.jsonl"
    done = chaosml("run", str(exp), "--journal", str(journal))
    _refused(done, f"{exp}:4:5", "a duration must be finite")
    assert not journal.exists()
