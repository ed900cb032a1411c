"""Local service processes for the demo: free ports, own process groups, health waits, cleanup."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any


class StackError(Exception):
    """A demo service did not start, or did not become healthy in time."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def spawn(argv: Sequence[str], log: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """Start ``argv`` in its own process group (so stopping it stops its children too)."""
    with log.open("ab") as handle:
        return subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=handle,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )


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


def stop_process(proc: subprocess.Popen[bytes], grace: float = 5.0) -> None:
    """SIGTERM the process group, SIGKILL it after ``grace`` seconds."""
    if proc.poll() is None:
        _signal_group(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            _signal_group(proc.pid, signal.SIGKILL)
            proc.wait(timeout=grace)
    _signal_group(proc.pid, signal.SIGKILL)  # stragglers left in the group


def _signal_group(pid: int, signum: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signum)


def stop_pid_file(pid_file: Path, marker: str, grace: float = 5.0) -> None:
    """Stop the process a pid file names — only if its command line contains ``marker``.

    This finds services that a drill restarted (``process.kill`` with ``restart``), which the
    launcher did not start itself.
    """
    pid = read_pid(pid_file)
    if pid is None or marker not in command_line(pid):
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and marker in command_line(pid):
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def stop_matching(fragments: tuple[str, ...], grace: float = 5.0) -> list[int]:
    """Stop every live process whose command line contains all ``fragments``; their pids.

    The sweep after the pid files: a service restarted by a drill whose pid file was lost
    (a race with the old process's exit) is still found by its unique ``--pid-file`` path.
    """
    pids = [pid for pid in _all_pids() if all(f in command_line(pid) for f in fragments)]
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline and any(command_line(pid) for pid in pids):
        time.sleep(0.05)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return pids


def _all_pids() -> list[int]:
    me = os.getpid()
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    return [int(e) for e in entries if e.isdigit() and int(e) != me]


def read_pid(pid_file: Path) -> int | None:
    try:
        return int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return None


def command_line(pid: int) -> str:
    """The process's command line ('' when it is gone or a zombie)."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    return raw.replace(b"\0", b" ").decode(errors="replace")
