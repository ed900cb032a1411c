"""Runs that are SIGKILLed on purpose, and what they leave: the journal read back, the faults'
state checked for real (marker files, a feature file, the proxy's toxics, a container)."""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from chaosml.io import procfs
from chaosml.reporting.journal_reader import read_journal
from tests.fixtures.proxy_env import EchoServer, ProxyProcess, start_proxy_process, stop_process

# the SIGKILL trials' base seed: chosen once in the main pytest process and inherited by the
# xdist workers (spawned later), so every worker uses the same series and the header names it
os.environ.setdefault("CHAOSML_TRIAL_SEED", str(random.SystemRandom().randrange(10**6)))
TRIAL_SEED = int(os.environ["CHAOSML_TRIAL_SEED"])


def pytest_report_header() -> str:
    return f"watchdog SIGKILL trials: base seed {TRIAL_SEED} (CHAOSML_TRIAL_SEED=N replays)"


CSV = "entity_id,x,y\n" + "".join(f"{i},{i * 0.5},{i * 2}\n" for i in range(20))


def start_run(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """``chaosml run …`` in a process group of its own (so the test can kill the group)."""
    return subprocess.Popen(
        [sys.executable, "-m", "chaosml", "run", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={**os.environ, **(env or {})},
    )


def kill_group(proc: subprocess.Popen[str]) -> float:
    """SIGKILL the runner's whole process group; the monotonic time of the kill."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    killed = time.monotonic()
    proc.wait(timeout=10)
    return killed


def events(journal: Path) -> list[dict[str, Any]]:
    out = []
    for line in journal.read_text().splitlines() if journal.exists() else []:
        with contextlib.suppress(json.JSONDecodeError):
            out.append(json.loads(line))
    return out


def of(journal: Path, kind: str) -> list[dict[str, Any]]:
    return [e for e in events(journal) if e.get("event") == kind]


def poll(condition: Callable[[], bool], what: str, timeout: float = 30.0) -> float:
    """Wait for ``condition``; the monotonic time it held."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out after {timeout:g}s waiting for {what}"
        time.sleep(0.02)
    return time.monotonic()


def watchdog_gone(journal: Path) -> bool:
    started = of(journal, "watchdog.started")
    return all(
        not (procfs.alive(e["pid"]) and procfs.start_time(e["pid"]) == e["pid_start"])
        for e in started
    )


def double_undos(journal: Path) -> dict[str, int]:
    done = Counter(e["undo_id"] for e in of(journal, "fault.reverted") if e.get("ok"))
    return {undo_id: n for undo_id, n in done.items() if n > 1}


def never_undone(journal: Path) -> list[str]:
    done = {e["undo_id"] for e in of(journal, "fault.reverted") if e.get("ok")}
    return [e["undo_id"] for e in of(journal, "fault.undo_registered") if e["undo_id"] not in done]


def check_journal(journal: Path) -> None:
    """Who undid what is on record: every registered undo ran exactly once (0 double undos), the
    run is closed by the runner or the watchdog, and the watchdog has exited."""
    poll(lambda: watchdog_gone(journal), "the watchdog to exit", 10)
    assert not double_undos(journal), f"double undos in {journal}: {double_undos(journal)}"
    ends = of(journal, "run.end")
    if not of(journal, "watchdog.started") and not ends:  # killed before the watchdog started
        assert not of(journal, "fault.applied"), f"{journal}: a fault applied with no watchdog"
        return
    assert len(ends) == 1, f"{journal}: {len(ends)} run.end events"
    assert never_undone(journal) == [], f"{journal}: undos that never ran"
    if ends[0]["ended_by"] == "watchdog":
        assert "the watchdog undid" in ends[0]["reason"]
        assert ends[0]["status"] == "interrupted" and ends[0]["exit_code"] == 130
        assert "the watchdog ended the faults" in read_journal(journal).watchdog  # the report
    bys = {e["by"] for e in of(journal, "fault.reverted")}
    assert bys <= {"rollback", "duration", "watchdog", "rollback-command"}, bys


# -- a real proxy, shared by a module's trials ------------------------------------------------
class ProxyApi:
    def __init__(self, process: ProxyProcess, name: str) -> None:
        self.process = process
        self.url = process.api_url
        self.name = name

    def toxics(self) -> list[dict[str, Any]]:
        reply = requests.get(f"{self.url}/proxies/{self.name}/toxics", timeout=5)
        reply.raise_for_status()
        result: list[dict[str, Any]] = reply.json()
        return result

    def clear(self) -> None:
        for toxic in self.toxics():
            self.process.remove_toxic(self.name, toxic["name"])


@pytest.fixture(scope="module")
def proxy_api() -> Iterator[ProxyApi]:
    upstream = EchoServer()
    process = start_proxy_process()
    try:
        process.create("feed", upstream.port)
        yield ProxyApi(process, "feed")
    finally:
        stop_process(process.process)
        upstream.close()


@pytest.fixture
def runners() -> Iterator[list[subprocess.Popen[str]]]:
    """Runners a test started: their groups are killed at the end, whatever happened."""
    procs: list[subprocess.Popen[str]] = []
    yield procs
    for proc in procs:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
