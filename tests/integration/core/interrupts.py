"""A `chaosml run` / `chaosml gameday` subprocess held in a chosen phase, for interrupt tests.

Every phase is reached deterministically: the command that runs in it touches a ``reached`` file
and then waits for a ``gate`` file, so a test sends its signal when the file appears, never after
a fixed sleep. The fault is a ``process.run`` that creates a marker file: the marker on disk is
the fault in place. Its undo waits for ``undo_gate`` (open from the start unless a test wants to
catch the rollback mid-way) and touches ``undo_reached`` when it begins.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PHASE_TIMEOUT_S = 30.0
POLL_S = 0.01
WAIT_LOOP = 'while [ ! -e "{gate}" ]; do sleep 0.01; done'

PHASES = ("blast-radius", "steady-state", "fault", "wait", "probe", "rollback", "recovery")
# the phases where the fault is in place when the signal comes
FAULT_IN_PLACE = ("fault", "wait", "probe", "rollback")


@dataclass
class Files:
    root: Path

    def __getattr__(self, name: str) -> Path:
        return self.root / name


def _blocking(files: Files, touch: str = "") -> str:
    return f'touch "{files.reached}" {touch}; ' + WAIT_LOOP.format(gate=files.gate)


def _fault(files: Files, command: list[str] | None = None) -> str:
    undo = (
        f'touch "{files.undo_reached}"; '
        + WAIT_LOOP.format(gate=files.undo_gate)
        + f'; rm -f "{files.marker}"'
    )
    return f"""
  - fault: process.run
    name: marker fault
    command: {json.dumps(command or ["touch", str(files.marker)])}
    undo: {json.dumps(["sh", "-c", undo])}
    timeout: 60s
"""


def _probe(files: Files, name: str, script: str, exit_code: int = 0) -> str:
    return f"""
    name: {name}
    timeout: 60s
    process: {{command: {json.dumps(["sh", "-c", script])}, timeout: 60s}}
    expect: {{exit_code: {exit_code}}}
"""


def experiment(phase: str, files: Files, title: str = "interrupt matrix") -> str:
    """An experiment that holds in ``phase`` until ``files.gate`` exists."""
    steady = _probe(files, "steady", "true")
    method = _fault(files)
    targets = ""
    recovery = "recovery: {within: 60s, every: 100ms}"
    if phase == "blast-radius":  # resolving a Docker target on a socket that never answers
        targets = """  targets:
    held:
      docker: {labels: {app: interrupt-matrix}}
      require_label: null
"""
    elif phase == "steady-state":
        steady = _probe(files, "steady", _blocking(files))
    elif phase == "fault":  # the fault's own command is still running
        method = _fault(files, ["sh", "-c", _blocking(files, f'"{files.marker}"')])
    elif phase == "wait":
        method += "  - wait: 60s\n"
    elif phase == "probe":
        method += "  - probe:" + _probe(files, "held probe", _blocking(files)).replace(
            "\n    ", "\n      "
        )
    elif phase == "recovery":  # steady again only once the gate opens
        after_undo = f'[ ! -e "{files.undo_reached}" ] || {{ touch "{files.reached}"; exit 1; }}'
        steady = _probe(files, "steady", after_undo)
    return f"""version: 1
title: {title}
blast_radius:
  max_duration: 10m
{targets}steady_state:
  - {steady.strip()}
method:{method}{recovery}
"""


def reached(phase: str, files: Files) -> Callable[[], bool]:
    """When the run is in ``phase`` (blast radius: see ``HangingDocker.connected``)."""
    if phase == "wait":
        return lambda: files.marker.exists() and _applied(files.journal)
    if phase == "rollback":
        return files.undo_reached.exists
    return files.reached.exists


def _applied(journal: Path) -> bool:
    return any(e.get("event") == "fault.applied" for e in events(journal))


def events(journal: Path) -> list[dict[str, Any]]:
    if not journal.exists():
        return []
    out = []
    for line in journal.read_text().splitlines():
        with contextlib.suppress(json.JSONDecodeError):
            out.append(json.loads(line))
    return out


def wait_until(condition: Callable[[], bool], what: str, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + PHASE_TIMEOUT_S
    while not condition():
        if proc.poll() is not None:
            raise AssertionError(f"chaosml exited {proc.returncode} before {what}")
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(POLL_S)


@dataclass
class HangingDocker:
    """A Unix socket that accepts Docker API connections and never answers them."""

    path: Path
    connections: list[socket.socket] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(str(self.path))
        self.server.listen(8)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        with contextlib.suppress(OSError):
            while True:
                conn, _ = self.server.accept()
                self.connections.append(conn)

    def connected(self) -> bool:
        return bool(self.connections)

    def close(self) -> None:
        for conn in [*self.connections, self.server]:
            conn.close()


def chaosml_env(files: Files) -> dict[str, str]:
    return {
        **os.environ,
        "CHAOSML_HALT_FILE": str(files.HALT),
        "CHAOSML_LOCK_DIR": str(files.locks),
        "DOCKER_HOST": f"unix://{files.docker_sock}",
        "NO_COLOR": "1",
    }


@contextlib.contextmanager
def spawned(args: list[str], files: Files) -> Iterator[subprocess.Popen[str]]:
    """chaosml in its own process; killed, its gates opened, whatever the test's outcome."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "chaosml", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=chaosml_env(files),
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()
        for gate in (files.gate, files.undo_gate):
            gate.touch()  # lets any command the run left behind end
        if files.marker.exists():  # never leave the fault behind, even when the test failed
            files.marker.unlink()


def send(proc: subprocess.Popen[str], how: str, files: Files) -> float:
    """Interrupt the run; the time it was sent (monotonic, for the ``run.end`` delay)."""
    sent = time.time()
    if how == "halt":
        files.HALT.write_text("interrupt matrix\n")
    else:
        proc.send_signal(getattr(signal, how))
    return sent


def rollback(journal: Path, files: Files) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "chaosml", "rollback", str(journal)],
        capture_output=True,
        text=True,
        timeout=60,
        env=chaosml_env(files),
    )
