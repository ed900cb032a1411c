"""Local processes: probe ``process``, faults ``process.run`` and ``process.kill``."""

from __future__ import annotations

import os
import re
import signal

from pydantic import Field, field_validator, model_validator

from chaosml import procfs
from chaosml.drivers import subprocesses
from chaosml.drivers.base import DriverContext, FaultDriver, Params, ProbeDriver, Sample, UndoRecord
from chaosml.errors import DriverError
from chaosml.model.types import Duration


class CommandParams(Params):
    command: list[str] | str
    shell: bool = False
    timeout: Duration = 30.0
    cwd: str | None = None
    env: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _shell_only_for_strings(self) -> CommandParams:
        if isinstance(self.command, str) and not self.shell:
            raise ValueError("command: a string needs shell: true; give an argument list instead")
        if isinstance(self.command, list) and not self.command:
            raise ValueError("command: the argument list is empty")
        return self


class ProcessProbe(ProbeDriver):
    """Runs a command; ``exit_code`` and ``text`` (stdout); ``value`` is stdout, as a number when
    it is one."""

    kind = "process"
    params_model = CommandParams
    summary = "a command's exit code and output"

    def sample(self, params: Params, ctx: DriverContext) -> Sample:
        assert isinstance(params, CommandParams)
        done = subprocesses.run(
            params.command,
            shell=params.shell,
            timeout=params.timeout,
            cwd=params.cwd,
            env=params.env or None,
        )
        return Sample(
            value=_number_or_text(done.stdout),
            exit_code=done.exit_code,
            text=done.stdout,
            details={"stderr": done.stderr[-500:]},
        )


def _number_or_text(text: str) -> float | str:
    stripped = text.strip()
    try:
        return float(stripped)
    except ValueError:
        return stripped


class RunParams(CommandParams):
    undo: list[str] | str | None = None


class ProcessRun(FaultDriver):
    """Runs ``command``; its undo runs the ``undo`` command, if one is given."""

    kind = "process.run"
    params_model = RunParams
    summary = "run a command; undo: run the undo command"

    def plan(self, params: Params, ctx: DriverContext) -> UndoRecord | None:
        assert isinstance(params, RunParams)
        if params.undo is None:
            return None
        data = {
            "command": params.undo,
            "shell": params.shell,
            "cwd": params.cwd,
            "env": params.env,
            "timeout": params.timeout,
        }
        return UndoRecord(self.kind, data, f"run {_show(params.undo)}")

    def apply(self, params: Params, ctx: DriverContext) -> None:
        assert isinstance(params, RunParams)
        _run_checked(params.command, params.shell, params.timeout, params.cwd, params.env)

    def undo(self, record: UndoRecord, ctx: DriverContext) -> None:
        d = record.data
        _run_checked(
            d["command"], bool(d["shell"]), float(d["timeout"]), d.get("cwd"), d.get("env") or {}
        )

    def describe(self, params: Params) -> str:
        assert isinstance(params, RunParams)
        return f"run {_show(params.command)}"


def _run_checked(
    command: list[str] | str, shell: bool, timeout: float, cwd: str | None, env: dict[str, str]
) -> None:
    done = subprocesses.run(command, shell=shell, timeout=timeout, cwd=cwd, env=env or None)
    if done.exit_code != 0:
        tail = (done.stderr or done.stdout).strip()[-300:]
        raise DriverError(f"{_show(command)} exited with {done.exit_code}: {tail}")


class KillParams(Params):
    pid_file: str | None = None
    pattern: str | None = None
    signal: str = "SIGTERM"
    restart: list[str] | None = None
    restart_cwd: str | None = None

    @model_validator(mode="after")
    def _one_selector(self) -> KillParams:
        if (self.pid_file is None) == (self.pattern is None):
            raise ValueError("give exactly one of pid_file or pattern")
        return self

    @field_validator("signal")
    @classmethod
    def _known_signal(cls, value: str) -> str:
        return signal_name(value)

    @field_validator("pattern")
    @classmethod
    def _valid_regex(cls, value: str | None) -> str | None:
        if value is not None:
            check_pattern(value)
        return value


def check_pattern(pattern: str) -> None:
    """ValueError unless ``pattern`` is a regex narrower than "any command line"."""
    try:
        regex = re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"'pattern' is not a valid regular expression: {exc}") from None
    if any(regex.search(line) for line in ("", "x", "0", "/")):
        raise ValueError(
            f"'pattern' {pattern!r} matches any command line: "
            "name the process you mean (e.g. its script or binary name)"
        )


def signal_name(value: str) -> str:
    name = value.upper() if value.upper().startswith("SIG") else "SIG" + value.upper()
    if not hasattr(signal, name) or not isinstance(getattr(signal, name), signal.Signals):
        raise ValueError(f"unknown signal {value!r} (e.g. SIGTERM, SIGKILL, SIGINT)")
    return name


class ProcessKill(FaultDriver):
    """Signals local processes found by pid file or command-line pattern; undo runs ``restart``
    (when given) if the process is not running again by then."""

    kind = "process.kill"
    params_model = KillParams
    summary = "signal a local process; undo: run the restart command"

    def plan(self, params: Params, ctx: DriverContext) -> UndoRecord | None:
        assert isinstance(params, KillParams)
        pids = find_pids(params.pid_file, params.pattern)
        if not pids:
            raise DriverError(f"no running process matches {params.pid_file or params.pattern!r}")
        if params.restart is None:
            return None
        data = {
            "restart": params.restart,
            "cwd": params.restart_cwd,
            "pid_file": params.pid_file,
            "pattern": params.pattern,
            "pids": pids,
        }
        return UndoRecord(self.kind, data, f"restart {_show(params.restart)}")

    def apply(self, params: Params, ctx: DriverContext) -> None:
        assert isinstance(params, KillParams)
        sig = getattr(signal, params.signal)
        for pid in find_pids(params.pid_file, params.pattern):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                continue

    def undo(self, record: UndoRecord, ctx: DriverContext) -> None:
        d = record.data
        _wait_gone(list(d.get("pids") or []), RESTART_WAIT_SECONDS)
        if find_pids(d.get("pid_file"), d.get("pattern")):
            return  # running again (restarted by a supervisor or by a previous undo)
        subprocesses.start_detached(d["restart"], cwd=d.get("cwd"))

    def describe(self, params: Params) -> str:
        assert isinstance(params, KillParams)
        return f"{params.signal} to {params.pid_file or '/' + str(params.pattern) + '/'}"


RESTART_WAIT_SECONDS = 5.0


def _wait_gone(pids: list[int], timeout: float) -> None:
    """Let the killed processes finish dying (and clean up their pid files) before a restart,
    so the old one cannot remove the new one's pid file."""
    procfs.wait_until(lambda: not any(procfs.alive(pid) for pid in pids), timeout)


def find_pids(pid_file: str | None, pattern: str | None) -> list[int]:
    """Live pids (not this one) named by a pid file, or whose command line matches ``pattern``."""
    if pid_file:
        pid = procfs.read_pid_file(pid_file)
        return [pid] if pid is not None and procfs.alive(pid) else []
    regex = re.compile(pattern or "")
    return sorted(
        pid
        for pid in procfs.other_pids()
        if _matches(regex, procfs.command_line(pid)) and procfs.alive(pid)
    )


def _matches(regex: re.Pattern[str], command_line: str) -> bool:
    return bool(command_line) and regex.search(command_line) is not None


def _show(command: list[str] | str) -> str:
    return command if isinstance(command, str) else " ".join(command)
