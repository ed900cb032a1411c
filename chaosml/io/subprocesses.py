"""Running local commands: each in its own process group, killed as a group."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import threading
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chaosml import cancellation
from chaosml.errors import DriverError
from chaosml.io import procfs

CommandHook = Callable[[int, str, str], None]  # (process group id, its start time, command)


class RunCommands:
    """The commands one run has running: journaled write-ahead through ``hook`` (when given),
    killed together by ``kill_all`` when the run is aborted. One per run, never shared."""

    def __init__(self, hook: CommandHook | None = None) -> None:
        self.hook = hook
        self._live: set[int] = set()
        self._lock = threading.Lock()

    def kill_all(self) -> None:
        """Kill every command of this run still running (not another run's)."""
        with self._lock:
            groups = list(self._live)
        for pgid in groups:
            kill_group(pgid)

    def running(self) -> int:
        with self._lock:
            return len(self._live)

    def track(self, pid: int) -> None:
        with self._lock:
            self._live.add(pid)

    def untrack(self, pid: int) -> None:
        with self._lock:
            self._live.discard(pid)


# the run a command belongs to: set by the run (asyncio tasks and driver threads copy it)
_current: ContextVar[RunCommands | None] = ContextVar("chaosml_run_commands", default=None)

# the command waits for "go" on stdin: it never starts unless its group was journaled first,
# and it exits unstarted when the runner dies before (EOF)
_GATE = 'read -r go || exit 125; exec "$@" </dev/null'


@contextlib.contextmanager
def scoped(commands: RunCommands) -> Iterator[RunCommands]:
    """While inside, ``run`` counts its commands in ``commands`` and, when it has a hook, hands
    every command's process group to it before the command starts (write-ahead, so
    ``chaosml rollback`` can kill it after a SIGKILL)."""
    token = _current.set(commands)
    try:
        yield commands
    finally:
        _current.reset(token)


def journaled(hook: CommandHook) -> contextlib.AbstractContextManager[RunCommands]:
    """``scoped`` with a fresh set of commands journaled through ``hook``."""
    return scoped(RunCommands(hook))


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
    """Run to completion in a new process group; on timeout kill the whole group. The timeout
    never runs past the deadline of the driver call this runs in."""
    timeout = cancellation.seconds_left(timeout)
    commands = _current.get() or RunCommands()
    hook = commands.hook
    proc = _start(command, shell, cwd, env, hook)
    commands.track(proc.pid)
    try:
        if hook is not None:
            _announce(proc, hook, command)
        out, err = proc.communicate("go\n" if hook else None, timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(proc.pid)
        proc.communicate()
        raise DriverError(f"command timed out after {timeout:g}s: {_show(command)}") from None
    finally:
        commands.untrack(proc.pid)
    return Completed(proc.returncode, out, err)


def _start(
    command: list[str] | str,
    shell: bool,
    cwd: str | None,
    env: dict[str, str] | None,
    hook: CommandHook | None,
) -> subprocess.Popen[str]:
    if hook is None:
        return _spawn(command, shell=shell, cwd=cwd, env=env, capture=True)
    _check_startable(command, shell, cwd, env)
    argv = ["/bin/sh", "-c", command] if isinstance(command, str) else list(command)
    gated = ["/bin/sh", "-c", _GATE, "chaosml-gate", *argv]
    return _spawn(gated, shell=False, cwd=cwd, env=env, capture=True, gate=True)


def _announce(proc: subprocess.Popen[str], hook: CommandHook, command: list[str] | str) -> None:
    try:
        hook(proc.pid, procfs.start_time(proc.pid), _show(command))
    except BaseException:
        kill_group(proc.pid)
        proc.communicate()
        raise


def _check_startable(
    command: list[str] | str, shell: bool, cwd: str | None, env: dict[str, str] | None
) -> None:
    """What Popen would refuse, refused the same way before the gate hides it."""
    if isinstance(command, str) and not shell:
        _spawn(command, shell=False, cwd=cwd, env=env, capture=True)  # raises DriverError
    if cwd is not None and not os.path.isdir(cwd):
        raise DriverError(f"cannot start {_show(command)}: no directory {cwd}")
    if isinstance(command, list) and not _executable(command[0], cwd, env):
        raise DriverError(f"cannot start {_show(command)}: No such file or directory")


def _executable(program: str, cwd: str | None, env: dict[str, str] | None) -> bool:
    if "/" in program:
        path = os.path.join(cwd or "", program)
        return os.path.isfile(path) and os.access(path, os.X_OK)
    search = {**os.environ, **env} if env else os.environ
    return shutil.which(program, path=os.pathsep.join(os.get_exec_path(search))) is not None


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
    gate: bool = False,
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
            stdin=subprocess.PIPE if gate else subprocess.DEVNULL,
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


def _show(command: list[str] | str) -> str:
    return command if isinstance(command, str) else " ".join(command)


def kill_all_running() -> None:
    """Kill the commands of the run this is called from (its context), never another run's.
    The engine calls ``ctx.cancel.cancel()``, which does this and more."""
    commands = _current.get()
    if commands is not None:
        commands.kill_all()
