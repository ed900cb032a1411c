"""The demo's reaper stops exactly the processes that carry its session id."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from chaosml.demo.reaper import SESSION_ENV, mark_session, reap, session_pids

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]


@pytest.fixture
def sleepers() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for proc in started:
        proc.kill()
        proc.wait()


def test_reap_stops_the_sessions_processes_and_no_other(
    monkeypatch: pytest.MonkeyPatch, sleepers: list[subprocess.Popen[bytes]]
) -> None:
    monkeypatch.delenv(SESSION_ENV, raising=False)
    outsider = subprocess.Popen(
        SLEEPER, env={k: v for k, v in os.environ.items() if k != SESSION_ENV}
    )
    sleepers.append(outsider)
    session = mark_session()
    monkeypatch.setenv(SESSION_ENV, session)  # restored after the test
    member = subprocess.Popen(SLEEPER)
    sleepers.append(member)
    assert session_pids(session) == [member.pid]
    assert reap(session) == [member.pid]
    assert member.wait(timeout=5) != 0
    assert outsider.poll() is None
    assert session_pids(session) == []
