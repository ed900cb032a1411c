"""Running ``chaosml`` as a user does (a subprocess) and reading the journal it leaves."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.docker_env import REPO

Event = dict[str, Any]


def chaosml(
    *args: str | Path, env: dict[str, str] | None = None, timeout: float = 120.0
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "chaosml", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=_env(env),
        cwd=REPO,
        check=False,
    )


def start_chaosml(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "chaosml", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=_env(env),
        cwd=REPO,
    )


def _env(extra: dict[str, str] | None) -> dict[str, str]:
    return {**os.environ, "NO_COLOR": "1", **(extra or {})}


def journal(path: Path) -> list[Event]:
    if not path.exists():
        return []
    lines = path.read_text().splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def events(path: Path, name: str) -> list[Event]:
    return [e for e in journal(path) if e["event"] == name]


def run_end(path: Path) -> Event:
    [end] = events(path, "run.end")
    return end


def wait_for_event(
    path: Path, event: str, proc: subprocess.Popen[str], timeout: float = 30.0, **fields: Any
) -> Event:
    """The first ``event`` whose fields match; fails when the run ends or time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for found in events(path, event):
            if all(found.get(k) == v for k, v in fields.items()):
                return found
        if proc.poll() is not None:
            output = proc.stdout.read() if proc.stdout else ""
            pytest.fail(f"chaosml exited ({proc.returncode}) before {event} {fields}:\n{output}")
        time.sleep(0.05)
    pytest.fail(f"no {event} {fields} in {path} within {timeout:g}s")


def finish(proc: subprocess.Popen[str], timeout: float = 60.0) -> tuple[int, str]:
    """Wait for the run to end; its exit code and output."""
    try:
        output, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        output, _ = proc.communicate()
        pytest.fail(f"chaosml did not end within {timeout:g}s:\n{output}")
    return proc.returncode, output


def resolved_members(path: Path, target: str) -> list[str]:
    for event in events(path, "target.resolved"):
        if event["target"]["name"] == target:
            return [m["name"] for m in event["target"]["members"]]
    raise AssertionError(f"no target.resolved for {target} in {path}")


def planned_members(stdout: str, target: str) -> list[str]:
    """The members a dry run's plan lists for ``target`` (a dry run writes no journal)."""
    for line in stdout.splitlines():
        fields = line.split(None, 4)
        if len(fields) == 5 and fields[0] == target and fields[2].isdigit():
            return fields[4].split("  ")[0].split(", ")
    raise AssertionError(f"no plan line for {target} in:\n{stdout}")
