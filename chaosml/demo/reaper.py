"""The demo's last line of cleanup: every process it started carries its session id.

``mark_session()`` puts ``CHAOSML_DEMO_SESSION=<id>`` into this process's environment, so every
process started afterwards — services, proxy, Prometheus, a model server a drill restarted,
one whose start a Ctrl-C cut short — inherits it. ``reap(session)`` stops any such process
still alive after the orderly stop (SIGTERM, then SIGKILL after ``grace``). It reads
``/proc``; where there is none, it finds nothing.
"""

from __future__ import annotations

import os
import secrets

from chaosml.io import procfs

SESSION_ENV = "CHAOSML_DEMO_SESSION"


def mark_session() -> str:
    session = secrets.token_hex(8)
    os.environ[SESSION_ENV] = session
    return session


def session_pids(session: str) -> list[int]:
    """Live processes (not this one) whose environment carries ``session``."""
    marker = f"{SESSION_ENV}={session}".encode()
    return [pid for pid in procfs.other_pids() if marker in procfs.environ(pid)]


def reap(session: str, grace: float = 3.0) -> list[int]:
    """Stop every process of ``session``; the pids that were still there."""
    return procfs.terminate(lambda: session_pids(session), grace)
