"""A title's escape sequences never reach the terminal: not in the run's lines, the dry-run
plan, `validate`'s answer or a game-day plan's title."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

TITLE = r'"drill \u001b[31mred\u001b[0m \u001b]0;pwned\u0007 \u0008\u000d end"'
EXPERIMENT = f"version: 1\ntitle: {TITLE}\nmethod:\n  - wait: 10ms\n"
PLAN = f"version: 1\ntitle: {TITLE}\nexperiments:\n  - path: exp.yaml\n"


def _chaosml(tmp_path: Path, *args: str) -> str:
    env = {**os.environ, "CHAOSML_HALT_FILE": str(tmp_path / "HALT"), "CHAOSML_ENV": "dev"}
    done = subprocess.run(
        [sys.executable, "-m", "chaosml", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["run", "exp.yaml", "--journal", "j.jsonl"],
        ["run", "exp.yaml", "--dry-run", "--journal", "j.jsonl"],
        ["validate", "exp.yaml"],
        ["validate", "plan.yaml"],
    ],
)
def test_no_escape_byte_from_a_title_reaches_the_console(tmp_path: Path, args: list[str]) -> None:
    (tmp_path / "exp.yaml").write_text(EXPERIMENT)
    (tmp_path / "plan.yaml").write_text(PLAN)
    shown = _chaosml(tmp_path, *args)
    assert "drill red" in shown and "end" in shown
    assert not [c for c in shown if ord(c) < 32 and c not in "\n\t"], repr(shown)
