"""Local processes: probe ``process``, faults ``process.run`` and ``process.kill``."""

from __future__ import annotations

import logging
import os
import signal
from typing import Annotated, Any

from pydantic import AfterValidator, Field, model_validator

from chaosml import redaction
from chaosml.contract.context import DriverContext
from chaosml.contract.params import Params
from chaosml.contract.records import Evidence, UndoRecord
from chaosml.contract.sample import Sample
from chaosml.drivers.base import FaultDriver, ProbeDriver
from chaosml.drivers.process_evidence import kill_evidence
from chaosml.drivers.process_target import ProcessSelector, matching_pids, member, member_pid
from chaosml.errors import DriverError
from chaosml.io import procfs, subprocesses
from chaosml.model.experiment import TargetSpec
from chaosml.model.selection import select
from chaosml.model.types import Duration

log = logging.getLogger(__name__)


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
        warn_secret_in_arguments(self.command)
        return self


class ProcessProbe(ProbeDriver[CommandParams]):
    """Runs a command; ``exit_code`` and ``text`` (stdout); ``value`` is stdout, as a number when
    it is one."""

    kind = "process"
    summary = "a command's exit code and output"

    def sample(self, params: CommandParams, ctx: DriverContext) -> Sample:
        done = subprocesses.run(
            params.command,
            shell=params.shell,
            timeout=ctx.remaining(params.timeout),
            cwd=params.cwd,
            env=params.env or None,
        )
        return Sample(
            value=_number_or_text(done.stdout),
            exit_code=done.exit_code,
            text=done.stdout,
            details={"stderr": redaction.tail(done.stderr, 500)},
        )


def _number_or_text(text: str) -> float | str:
    stripped = text.strip()
    try:
        return float(stripped)
    except ValueError:
        return stripped


class RunParams(CommandParams):
    undo: list[str] | str | None = None

    @model_validator(mode="after")
    def _undo_secret(self) -> RunParams:
        if self.undo is not None:
            warn_secret_in_arguments(self.undo)
        return self


def warn_secret_in_arguments(command: list[str] | str) -> None:
    """Every local user can read a command's arguments (``ps``, /proc/PID/cmdline) while it
    runs: say so when a secret is among them, and what to do instead."""
    shown = redaction.scrub(command)
    if shown != (command if isinstance(command, str) else list(command)):
        log.warning(
            "warning: a secret is passed as an argument of the command %s: every local user "
            "can read it in ps while it runs; pass it in env: {NAME: ${secret}} and read "
            "$NAME in the command instead (see docs/drivers/process.md)",
            _show(shown),
        )


class ProcessRun(FaultDriver[RunParams]):
    """Runs ``command``; its undo runs the ``undo`` command, if one is given."""

    kind = "process.run"
    summary = "run a command; undo: run the undo command"

    def plan(self, params: RunParams, ctx: DriverContext) -> UndoRecord | None:
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

    def apply(self, params: RunParams, ctx: DriverContext) -> None:
        ctx.cancel.check(f"run {_show(params.command)}")  # never start once the run stopped
        timeout = ctx.remaining(params.timeout)  # killed at the step's deadline, never after
        _run_checked(params.command, params.shell, timeout, params.cwd, params.env)

    def undo(self, record: UndoRecord, ctx: DriverContext) -> None:
        d = record.data
        timeout = ctx.remaining(float(d["timeout"]))
        _run_checked(d["command"], bool(d["shell"]), timeout, d.get("cwd"), d.get("env") or {})

    def describe(self, params: RunParams) -> str:
        return f"run {_show(params.command)}"

    def applied_evidence(
        self, params: RunParams, ctx: DriverContext, record: UndoRecord | None
    ) -> Evidence | None:
        """What a command changes is its own business: it ran and exited 0 (apply checked)."""
        return Evidence(True, f"{_show(params.command)} exited 0", {"exit_code": 0})


def _run_checked(
    command: list[str] | str, shell: bool, timeout: float, cwd: str | None, env: dict[str, str]
) -> None:
    done = subprocesses.run(command, shell=shell, timeout=timeout, cwd=cwd, env=env or None)
    if done.exit_code != 0:
        tail = redaction.tail((done.stderr or done.stdout).strip(), 300)
        raise DriverError(f"{_show(command)} exited with {done.exit_code}: {tail}")


def signal_name(value: str) -> str:
    name = value.upper() if value.upper().startswith("SIG") else "SIG" + value.upper()
    if not hasattr(signal, name) or not isinstance(getattr(signal, name), signal.Signals):
        raise ValueError(f"unknown signal {value!r} (e.g. SIGTERM, SIGKILL, SIGINT)")
    return name


SignalName = Annotated[str, AfterValidator(signal_name)]  # SIGTERM, term, TERM -> SIGTERM


class KillParams(ProcessSelector):
    """A process selector (or ``target``), the signal, the restart command and the limits."""

    target: str | None = None  # a `process` target of the blast radius
    signal: SignalName = "SIGTERM"
    restart: list[str] | None = None
    restart_cwd: str | None = None
    count: int | None = Field(default=None, ge=1)
    max_percent: float | None = Field(default=None, gt=0, le=100)
    min_matches: int = Field(default=1, ge=1)

    @model_validator(mode="after")
    def _exactly_one(self) -> KillParams:  # replaces the selector's own: `target` is one too
        if self.target is None and (self.pid_file is None) == (self.pattern is None):
            raise ValueError("give exactly one of pid_file or pattern (or a process target)")
        limits = self.count is not None or self.max_percent is not None or self.min_matches > 1
        if self.target is not None and limits:
            raise ValueError("with 'target', count/max_percent/min_matches belong to the target")
        return self

    def implied_target(self) -> TargetSpec | None:
        """An inline pid_file/pattern is a process target of its own, with these limits."""
        if self.target is not None:
            return None
        return TargetSpec(
            kind="process",
            selector=ProcessSelector(pid_file=self.pid_file, pattern=self.pattern),
            require_label=None,  # processes carry no labels
            count=self.count,
            max_percent=self.max_percent,
            min_matches=self.min_matches,
        )


class ProcessKill(FaultDriver[KillParams]):
    """Signals the local processes of its target (an implied one for an inline pid file or
    pattern); undo runs ``restart`` (when given) if the process is not running again by then."""

    kind = "process.kill"
    summary = "signal a local process; undo: run the restart command"

    def __init__(self) -> None:
        self.delivered: dict[str, list[int]] = {}  # run/fault id -> pids signalled

    def plan(self, params: KillParams, ctx: DriverContext) -> UndoRecord | None:
        pids = chosen_pids(params, ctx)
        if not pids:
            raise DriverError(f"no running process matches {_selector(params)}")
        if params.restart is None:
            return None
        data = {
            "restart": params.restart,
            "cwd": params.restart_cwd,
            "pid_file": params.pid_file,
            "pattern": params.pattern,
            "pids": pids,
            "command_lines": [procfs.command_line(pid) for pid in pids],
        }
        return UndoRecord(self.kind, data, f"restart {_show(params.restart)}")

    def apply(self, params: KillParams, ctx: DriverContext) -> None:
        sig = getattr(signal, params.signal)
        delivered = self.delivered.setdefault(f"{ctx.run_id}/{ctx.fault_id}", [])
        for pid in chosen_pids(params, ctx):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                continue
            delivered.append(pid)

    def applied_evidence(
        self, params: KillParams, ctx: DriverContext, record: UndoRecord | None
    ) -> Evidence | None:
        return kill_evidence(params.signal, self.delivered.pop(f"{ctx.run_id}/{ctx.fault_id}", []))

    def undo(self, record: UndoRecord, ctx: DriverContext) -> None:
        d = record.data
        _wait_gone(list(d.get("pids") or []), RESTART_WAIT_SECONDS)
        if _running_again(d):
            return  # restarted by a supervisor or by a previous undo
        subprocesses.start_detached(d["restart"], cwd=d.get("cwd"))

    def describe(self, params: KillParams) -> str:
        return f"{params.signal} to {_selector(params)}"


def chosen_pids(params: KillParams, ctx: DriverContext) -> list[int]:
    """The pids of the members chosen for the target (resolved before the run, or now for a
    direct call without one) that are still the same processes."""
    implied = params.implied_target()
    if params.target is not None:
        members = ctx.target(params.target).members
    else:
        assert implied is not None and isinstance(implied.selector, ProcessSelector)
        found = [member(pid) for pid in matching_pids(implied.selector)]
        members = select(_selector(params), implied, found, ctx.seed).members if found else ()
    return sorted(pid for m in members if (pid := member_pid(m)) is not None)


def _running_again(data: dict[str, Any]) -> bool:
    """The pid file's or the pattern's process runs; for a declared target (neither recorded),
    a process with the command line of one that was killed runs."""
    if data.get("pid_file") or data.get("pattern"):
        return bool(find_pids(data.get("pid_file"), data.get("pattern")))
    lines = set(data.get("command_lines") or [])
    return any(procfs.command_line(pid) in lines for pid in procfs.other_pids())


def _selector(params: KillParams) -> str:
    if params.pid_file:
        return params.pid_file
    return f"/{params.pattern}/" if params.pattern else f"target '{params.target}'"


RESTART_WAIT_SECONDS = 5.0


def _wait_gone(pids: list[int], timeout: float) -> None:
    """Let the killed processes finish dying (and clean up their pid files) before a restart,
    so the old one cannot remove the new one's pid file."""
    procfs.wait_until(lambda: not any(procfs.alive(pid) for pid in pids), timeout)


def find_pids(pid_file: str | None, pattern: str | None) -> list[int]:
    """Live pids named by a pid file, or whose command line matches ``pattern`` (never pid 1,
    this process or its ancestors)."""
    if pid_file is None and pattern is None:
        return []
    return matching_pids(ProcessSelector.model_construct(pid_file=pid_file, pattern=pattern))


def _show(command: list[str] | str) -> str:
    return command if isinstance(command, str) else " ".join(command)
