"""Secrets for commands go through `env:`, never through the arguments every local user can
read in `ps`; a secret among the arguments gets a warning naming the remedy."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

SECRET = "S3CR3T-env-only-7f3a9c"


def _run(tmp_path: Path, text: str, *command: str) -> subprocess.CompletedProcess[str]:
    exp = tmp_path / "exp.yaml"
    exp.write_text(text)
    env = {**os.environ, "DRILL_TOKEN": SECRET, "CHAOSML_HALT_FILE": str(tmp_path / "HALT")}
    return subprocess.run(
        [sys.executable, "-m", "chaosml", *command, str(exp)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


def test_a_secret_in_env_reaches_the_command_but_not_ps_or_the_journal(tmp_path: Path) -> None:
    ps_seen, digest, journal = tmp_path / "ps.txt", tmp_path / "digest", tmp_path / "j.jsonl"
    done = _run(
        tmp_path,
        f"""
version: 1
title: a command that needs a token
secrets:
  token: ${{env:DRILL_TOKEN}}
method:
  - fault: process.run
    command: [sh, -c, 'ps -eo args > "$0"; printf %s "$TOKEN" | sha256sum > "$1"', "{ps_seen}", "{digest}"]
    env: {{TOKEN: "${{token}}"}}
    undo: [sh, -c, 'printf %s "$TOKEN" | sha256sum > "$0"', "{digest}.undo"]
""",
        "run",
        "--journal",
        str(journal),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "sh -c ps -eo args" in ps_seen.read_text()  # the listing saw the command running
    assert SECRET not in ps_seen.read_text()
    assert digest.read_text().split()[0] == hashlib.sha256(SECRET.encode()).hexdigest()
    undo_digest = Path(f"{digest}.undo").read_text()  # the undo got the token too
    assert undo_digest == digest.read_text()
    assert SECRET not in journal.read_text() and SECRET not in done.stdout + done.stderr
    assert "warning" not in done.stderr


def test_a_secret_among_the_arguments_is_warned_with_the_remedy(tmp_path: Path) -> None:
    done = _run(
        tmp_path,
        """
version: 1
title: a token on the command line
secrets:
  token: ${env:DRILL_TOKEN}
method:
  - fault: process.run
    command: [curl, --oauth2-bearer, "${token}", "http://127.0.0.1:9/"]
""",
        "validate",
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "secret is passed as an argument" in done.stderr
    assert "curl --oauth2-bearer ***" in done.stderr and "env:" in done.stderr
    assert SECRET not in done.stdout + done.stderr
