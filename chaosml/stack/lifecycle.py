"""``chaosml stack up`` / ``down``: the example stack kept running between commands.

    state = stack_up(Path(".chaosml"))    # detached; returns once it serves (state.variables)
    stack_down(Path(".chaosml"))          # stops exactly that; idempotent; copes with a stale file

``up`` starts ``chaosml.stack.holder`` in a session of its own (it outlives this command) with a
fresh ``CHAOSML_DEMO_SESSION`` id that every process it starts inherits; ``down`` sends the
holder SIGTERM (it stops what it started), then stops whatever of that session or of the
stack's work directory is still alive (a holder killed with SIGKILL, a model server a drill
restarted), removes the work directory and the state files.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from chaosml.demo.processes import stop_matching, tail
from chaosml.demo.reaper import SESSION_ENV, reap
from chaosml.errors import InfrastructureError, InputError
from chaosml.io import procfs
from chaosml.io.subprocesses import start_logged
from chaosml.stack.state import (
    HOLDER_MODULE,
    LOG_FILE,
    StackState,
    read_state,
    remove_state,
    write_state,
)

UP_TIMEOUT_S = 120.0
DOWN_TIMEOUT_S = 30.0


def stack_up(state_dir: Path, within: float = UP_TIMEOUT_S) -> StackState:
    """Start the stack detached; its state once it serves. InputError if one already runs."""
    previous = read_state(state_dir)
    if previous is not None and previous.holder_alive():
        raise InputError(
            f"a stack is already running (pid {previous.pid}, state in {state_dir})",
            hint="stop it with: chaosml stack down",
        )
    if previous is not None:
        stack_down(state_dir)  # a stale record: clear what it left behind first
    session = secrets.token_hex(8)
    state_dir.mkdir(parents=True, exist_ok=True)
    log = state_dir / LOG_FILE
    log.write_bytes(b"")
    env = {**os.environ, SESSION_ENV: session}
    proc = start_logged([sys.executable, "-m", HOLDER_MODULE, str(state_dir.resolve())], log, env)
    write_state(state_dir, StackState(proc.pid, session, procfs.start_time(proc.pid)))
    try:
        return _wait_up(state_dir, proc, within)
    except KeyboardInterrupt:  # Ctrl-C while it starts: nothing stays behind
        stack_down(state_dir)
        raise


def _wait_up(state_dir: Path, proc: subprocess.Popen[bytes], within: float) -> StackState:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        state = read_state(state_dir)
        if state is not None and state.status == "up":
            return state
        if proc.poll() is not None:
            stack_down(state_dir)
            raise InfrastructureError(
                f"the example stack did not start (exit {proc.returncode}):\n"
                f"{tail(state_dir / LOG_FILE)}"
            )
        time.sleep(0.1)
    stack_down(state_dir)
    raise InfrastructureError(f"the example stack did not start within {within:g}s")


def stack_down(state_dir: Path, within: float = DOWN_TIMEOUT_S) -> str:
    """Stop what ``stack_up`` started; a sentence saying what was done."""
    state = read_state(state_dir)
    if state is None:
        remove_state(state_dir)
        return f"no stack recorded in {state_dir}: nothing to stop"
    was_alive = state.holder_alive()
    if was_alive:
        procfs.signal_all([state.pid], signal.SIGTERM)
        procfs.wait_until(lambda: not state.holder_alive(), within)
    leftovers = _sweep(state)
    remove_state(state_dir)
    if was_alive:
        return "stopped the example stack"
    return f"the stack's holder (pid {state.pid}) was gone; stopped {len(leftovers)} leftover(s)"


def _sweep(state: StackState) -> list[int]:
    """Whatever of the stack still lives: its session's processes, services of its work dir."""
    stopped = reap(state.session) if state.session else []
    if state.root:
        stopped += stop_matching(("chaosml.demo.", f"--pid-file {state.root}{os.sep}"))
        shutil.rmtree(state.root, ignore_errors=True)
    return stopped
