"""Bad input to the history commands: a located message and exit 2 (5 for an unreachable
service), never a traceback, never a password."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from chaosml.io.ports import free_port
from tests.integration.history.conftest import cli_env


def chaosml(tmp_path: Path, *args: str, url: str = "") -> subprocess.CompletedProcess[str]:
    url = url or f"sqlite:///{tmp_path / 'h.db'}"
    return subprocess.run(
        [sys.executable, "-m", "chaosml", *args],
        cwd=tmp_path,
        env=cli_env(url, tmp_path),
        text=True,
        capture_output=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("history", "--history", "mysql://db/h"), 2, "expected sqlite:///PATH or postgresql://"),
        (("history", "--format", "yaml"), 2, "--format 'yaml': expected one of text, markdown"),
        (("history", "import", "nowhere"), 2, "nowhere: no such directory or journal file"),
        (
            ("history", "--history", "postgresql://u:pw-42@127.0.0.1:{port}/h"),
            5,
            "PostgreSQL at postgresql://u:***@127.0.0.1:",
        ),
        (("coverage", "--prometheus", "http://127.0.0.1:{port}"), 5, "cannot reach"),
    ],
)
def test_bad_input_is_a_message_not_a_traceback(
    tmp_path: Path, args: tuple[str, ...], code: int, message: str
) -> None:
    port = str(free_port())
    result = chaosml(tmp_path, *(a.replace("{port}", port) for a in args))
    assert result.returncode == code, result.stdout + result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr and "pw-42" not in result.stderr


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    (tmp_path / "h.db").write_text("these are my notes, not a database\n" * 100)
    result = chaosml(tmp_path, "history")
    assert result.returncode == 2
    assert f"history {tmp_path / 'h.db'} is not a SQLite database" in result.stderr
    assert "Traceback" not in result.stderr
