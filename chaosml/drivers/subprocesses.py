"""Running local commands: each in its own process group, killed as a group."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chaosml.errors import DriverError

_live: set[int] = set()
_lock = threading.Lock()


@dataclass(frozen=True)
class Completed:
    exit_code: int
    stdout: str
    stderr: str


def run(
    command: list[str] | str,
    *,
    shell: bool = False,
    timeout: float = 30.0,
    cwd: str | None = None,
    env: dict[str, str] | None = None,
) -> Completed:
    """Run to completion in a new process group; on timeout kill the whole group."""
    proc = _spawn(command, shell=shell, cwd=cwd, env=env, capture=True)
    _track(proc.pid)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(proc.pid)
        proc.communicate()
        raise DriverError(f"command timed out after {timeout:g}s: {_show(command)}") from None
    finally:
        _untrack(proc.pid)
    return Completed(proc.returncode, out, err)


def start_detached(command: list[str] | str, *, shell: bool = False, cwd: str | None = None) -> int:
    """Start a long-lived command (a restarted service) that outlives chaosml; returns its pid."""
    proc = _spawn(command, shell=shell, cwd=cwd, env=None, capture=False)
    return proc.pid


def _spawn(
    command: list[str] | str,
    *,
    shell: bool,
    cwd: str | None,
    env: dict[str, str] | None,
    capture: bool,
) -> subprocess.Popen[str]:
    if isinstance(command, str) and not shell:
        raise DriverError(
            "a command given as a string needs shell: true; give an argument list instead"
        )
    full_env = {**os.environ, **env} if env else None
    pipe = subprocess.PIPE if capture else subprocess.DEVNULL
    try:
        return subprocess.Popen(
            command,
            shell=shell,
            cwd=cwd,
            env=full_env,
            text=True,
            stdin=subprocess.DEVNULL,
            stdout=pipe,
            stderr=pipe,
            start_new_session=True,
        )
    except OSError as exc:
        raise DriverError(f"cannot start {_show(command)}: {exc.strerror or exc}") from exc


def start_logged(
    argv: Sequence[str], log: Path, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """Start a service (``argv``) in its own process group, stdout and stderr appended to ``log``.
    Stop it with ``stop_group``."""
    with log.open("ab") as handle:
        return subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=handle,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )


def stop_group(proc: subprocess.Popen[Any], grace: float = 5.0) -> None:
    """SIGTERM the process's group, SIGKILL it after ``grace`` seconds; then SIGKILL whatever is
    left in the group (children that outlived their parent)."""
    if proc.poll() is None:
        kill_group(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            kill_group(proc.pid, signal.SIGKILL)
            proc.wait(timeout=grace)
    kill_group(proc.pid, signal.SIGKILL)


def kill_group(pgid: int, sig: int = signal.SIGKILL) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def kill_all_running() -> None:
    """Kill every command still running (called when the run is interrupted)."""
    with _lock:
        groups = list(_live)
    for pgid in groups:
        kill_group(pgid)


def _track(pid: int) -> None:
    with _lock:
        _live.add(pid)


def _untrack(pid: int) -> None:
    with _lock:
        _live.discard(pid)


def _show(command: list[str] | str) -> str:
    return command if isinstance(command, str) else " ".join(command)
