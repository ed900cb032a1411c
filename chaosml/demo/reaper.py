"""The demo's last line of cleanup: every process it started carries its session id.

``mark_session()`` puts ``CHAOSML_DEMO_SESSION=<id>`` into this process's environment, so every
process started afterwards — services, proxy, Prometheus, a model server a drill restarted,
one whose start a Ctrl-C cut short — inherits it. ``reap(session)`` stops any such process
still alive after the orderly stop (SIGTERM, then SIGKILL after ``grace``). It reads
``/proc``; where there is none, it finds nothing.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import time
from pathlib import Path

SESSION_ENV = "CHAOSML_DEMO_SESSION"


def mark_session() -> str:
    session = secrets.token_hex(8)
    os.environ[SESSION_ENV] = session
    return session


def session_pids(session: str) -> list[int]:
    """Live processes (not this one) whose environment carries ``session``."""
    marker = f"{SESSION_ENV}={session}".encode()
    return [pid for pid in _other_pids() if marker in _environ(pid)]


def reap(session: str, grace: float = 3.0) -> list[int]:
    """Stop every process of ``session``; the pids that were still there."""
    pids = session_pids(session)
    _signal_all(pids, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and session_pids(session):
        time.sleep(0.05)
    _signal_all(session_pids(session), signal.SIGKILL)
    return pids


def _signal_all(pids: list[int], signum: signal.Signals) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signum)


def _other_pids() -> list[int]:
    me = os.getpid()
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    return [int(e) for e in entries if e.isdigit() and int(e) != me]


def _environ(pid: int) -> list[bytes]:
    try:
        return Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    except OSError:
        return []
