"""The local process table, read from ``/proc`` (Linux): which processes live, their command
lines and environments, and stopping a set of them. Where there is no ``/proc``, nothing is
found."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Callable, Iterable
from pathlib import Path


def other_pids() -> list[int]:
    """Every process but this one."""
    me = os.getpid()
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    return [int(e) for e in entries if e.isdigit() and int(e) != me]


def alive(pid: int) -> bool:
    """Running (a zombie or a dead process is not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def start_time(pid: int) -> str:
    """When the process started, in clock ticks since boot (field 22 of ``/proc/PID/stat``): with
    the pid it names one process, even after the pid is reused; "" when unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    return stat.rsplit(")", 1)[-1].split()[19]


def parent(pid: int) -> int | None:
    """The parent's pid (field 4 of ``/proc/PID/stat``); None when the process is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return int(stat.rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def ancestors(pid: int) -> list[int]:
    """The parent, its parent, … up to pid 1 (or as far as they can be read)."""
    out: list[int] = []
    current = parent(pid)
    while current and current not in out:
        out.append(current)
        current = parent(current) if current != 1 else None
    return out


def command_line(pid: int) -> str:
    """The process's command line, arguments joined by spaces ('' when it is gone or a zombie)."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    return raw.replace(b"\0", b" ").decode(errors="replace").strip()


def environ(pid: int) -> list[bytes]:
    """The process's environment as ``KEY=value`` entries (empty when it cannot be read)."""
    try:
        return Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    except OSError:
        return []


def read_pid_file(path: str | Path) -> int | None:
    try:
        return int(Path(path).read_text().strip())
    except (OSError, ValueError):
        return None


def wait_until(done: Callable[[], bool], timeout: float, interval: float = 0.05) -> bool:
    """Poll ``done`` until it holds or ``timeout`` passes; whether it held."""
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)
    return True


def signal_all(pids: Iterable[int], signum: signal.Signals) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signum)


def terminate(find: Callable[[], list[int]], grace: float) -> list[int]:
    """SIGTERM the processes ``find`` names, wait up to ``grace`` seconds for ``find`` to name
    none, SIGKILL whatever it still names; the pids it named at first."""
    pids = find()
    signal_all(pids, signal.SIGTERM)
    wait_until(lambda: not find(), grace)
    signal_all(find(), signal.SIGKILL)
    return pids
