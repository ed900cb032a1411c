"""The history tests run on both backends: ``history_url`` is a fresh SQLite file or a fresh
PostgreSQL database (tests/fixtures/postgres_env.py) per test; ``chaosml(...)`` runs the CLI as
a user does, in a subprocess, with that store."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
Chaosml = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(params=["sqlite", "postgresql"])
def history_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'history.db'}"
    return str(request.getfixturevalue("postgres_url"))


def cli_env(history_url: str, tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["CHAOSML_HISTORY_URL"] = history_url
    env["CHAOSML_HALT_FILE"] = str(tmp_path / "HALT")
    env["CHAOSML_LOCK_DIR"] = str(tmp_path / "locks")
    env["PYTHONPATH"] = str(REPO_ROOT)
    env.pop("CHAOSML_HISTORY", None)
    return env


@pytest.fixture
def chaosml(history_url: str, tmp_path: Path) -> Chaosml:
    def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "chaosml", *args],
            cwd=tmp_path,
            env={**cli_env(history_url, tmp_path), **(env or {})},
            text=True,
            capture_output=True,
            timeout=120,
        )

    return run
