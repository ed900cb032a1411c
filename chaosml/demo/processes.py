"""Local service processes for the demo: health waits, log tails, and the sweep of services a
drill restarted. Starting and stopping process groups is ``chaosml.io.subprocesses``."""

from __future__ import annotations

import json
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from chaosml.io import procfs


class StackError(Exception):
    """A demo service did not start, or did not become healthy in time."""


def http_ok(url: str, timeout: float = 1.0) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return bool(resp.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def get_json(url: str, timeout: float = 2.0) -> Any:
    """GET ``url`` and parse its JSON body; StackError when that fails."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return json.loads(resp.read())
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise StackError(f"GET {url} failed: {exc}") from exc


def wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path, within: float) -> None:
    """Poll ``url`` until it answers 200; fail fast when the process exits."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if http_ok(url, timeout=0.5):
            return
        if proc.poll() is not None:
            raise StackError(f"{proc.args!r} exited with {proc.returncode}:\n{tail(log)}")
        time.sleep(0.05)
    raise StackError(f"{url} not healthy within {within:g}s:\n{tail(log)}")


def tail(log: Path, lines: int = 20) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def stop_pid_file(pid_file: Path, marker: str, grace: float = 5.0) -> None:
    """Stop the process a pid file names — only if its command line contains ``marker``.

    This finds services that a drill restarted (``process.kill`` with ``restart``), which the
    launcher did not start itself.
    """
    pid = procfs.read_pid_file(pid_file)
    if pid is not None:
        procfs.terminate(lambda: [pid] if marker in procfs.command_line(pid) else [], grace)


def stop_matching(fragments: tuple[str, ...], grace: float = 5.0) -> list[int]:
    """Stop every live process whose command line contains all ``fragments``; their pids.

    The sweep after the pid files: a service restarted by a drill whose pid file was lost
    (a race with the old process's exit) is still found by its unique ``--pid-file`` path.
    """

    def matching() -> list[int]:
        return [
            pid
            for pid in procfs.other_pids()
            if all(f in procfs.command_line(pid) for f in fragments)
        ]

    return procfs.terminate(matching, grace)
