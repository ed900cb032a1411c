"""The engine's public entry point: run one loaded experiment to its outcome."""

from __future__ import annotations

import asyncio
import functools
import getpass
import os
import secrets
import socket
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from chaosml import __version__
from chaosml.contract.context import DriverContext
from chaosml.drivers.registry import Registry, default_registry
from chaosml.engine import threads
from chaosml.engine.blast_radius import environment
from chaosml.engine.clock import Clock, SystemClock
from chaosml.engine.fault_bound import faults_end_by
from chaosml.engine.lock import target_keys
from chaosml.engine.outcome import RunOutcome
from chaosml.engine.rollback import UndoStack
from chaosml.engine.runner import Runner
from chaosml.engine.state import RunOptions, RunState
from chaosml.io import procfs, subprocesses
from chaosml.journal.events import RunStarted
from chaosml.journal.writer import JournalWriter, Observer
from chaosml.model.loaded import Loaded
from chaosml.redaction import Redactor
from chaosml.watchdog.guard import guard_run

P = ParamSpec("P")
T = TypeVar("T")


def new_run_id() -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-" + secrets.token_hex(3)


async def run_experiment_async(
    loaded: Loaded,
    options: RunOptions,
    observers: list[Observer] | None = None,
    registry: Registry | None = None,
    clock: Clock | None = None,
    debug: bool = False,
) -> RunOutcome:
    """Run ``loaded`` to the end (rollback included) and return how it ended."""
    run_id = new_run_id()
    seed = options.seed if options.seed is not None else secrets.randbelow(2**31)
    registry = (registry or default_registry()).for_run()
    journal = JournalWriter(
        _journal_path(options, run_id),
        run_id,
        Redactor(loaded.secret_values),
        observers,
        append=options.journal_path is not None and options.append_journal,
    )
    ctx = DriverContext(
        run_id=run_id,
        allow_python=options.allow_python,
        seed=seed,
        experiment_title=journal.redact.text(loaded.experiment.title),  # drivers may label with it
        state_dir=str(journal.path.parent / run_id),
        faults_end_by=faults_end_by(loaded.experiment, options),  # expiries on targets
    )
    guard_run(journal, options)  # watchdog + leases, armed before the first fault (issue 16)
    state = RunState(loaded.experiment, options, registry, journal, ctx, clock or SystemClock())
    state.lock_keys = target_keys(loaded.raw, loaded.path)
    _journal_start(state, loaded, seed)
    stack = UndoStack(journal, registry, ctx, options.undo_timeout, options.undo_attempts)
    stack.secrets = loaded.secret_refs
    commands = subprocesses.RunCommands(journal.command_started)  # write-ahead, for rollback
    ctx.cancel.on_cancel(commands.kill_all)  # an abort kills this run's commands, no other's
    with subprocesses.scoped(commands), threads.scoped(threads.RunCalls(run_id)):
        return await Runner(state, stack, debug=debug).execute()


def _blocking(run: Callable[P, Coroutine[Any, Any, T]]) -> Callable[P, T]:
    """``run`` with the same parameters, run to its result in a new event loop."""

    @functools.wraps(run)
    def blocking(*args: P.args, **kwargs: P.kwargs) -> T:
        return asyncio.run(run(*args, **kwargs))

    return blocking


run_experiment = _blocking(run_experiment_async)  # the same, for callers outside an event loop


def _journal_path(options: RunOptions, run_id: str) -> Path:
    if options.journal_path is not None:
        return options.journal_path
    return options.journal_dir / f"{run_id}.jsonl"


def _journal_start(state: RunState, loaded: Loaded, seed: int) -> None:
    exp = state.experiment
    state.journal.write(
        RunStarted(
            version=__version__,
            title=exp.title,
            tags=exp.tags,
            experiment_path=loaded.path,
            experiment=loaded.raw,
            command_line=state.options.command_line,
            environment=environment(state.options),
            seed=seed,
            pid=os.getpid(),
            pid_start=procfs.start_time(os.getpid()),
            host=socket.gethostname(),
            user=_user(),
            dry_run=state.options.dry_run,
        )
    )


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return str(os.getuid())
