"""The process that keeps ``chaosml stack up``'s example stack running (detached).

    python -m chaosml.stack.holder STATE_DIR     # started by ``chaosml stack up``

It starts the environment ``chaosml demo`` uses (services, proxy, and Prometheus with
Alertmanager when installed), records it as ``up`` in ``STATE_DIR/stack.json`` with the env
file beside it, then waits. SIGTERM or SIGINT (``chaosml stack down``) stops everything it
started and every process of its session (``chaosml.demo.reaper``); then it exits.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from chaosml.demo.local_stack import LocalEnvironment, start_local_environment
from chaosml.demo.monitoring import binaries_available
from chaosml.demo.reaper import SESSION_ENV, reap
from chaosml.demo.session import signals_ignored
from chaosml.stack.state import StackState, read_state, write_state

NO_MONITORING = (
    "prometheus and prometheus-alertmanager are not both on the PATH: the stack runs without "
    "them (no PROMETHEUS_URL/ALERTMANAGER_URL; drills that check alerts cannot run)"
)


def hold(state_dir: Path) -> int:
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    monitoring = binaries_available()
    env = start_local_environment(monitoring=monitoring)
    try:
        _record_up(state_dir, env, [] if monitoring else [NO_MONITORING])
        stop.wait()
    finally:
        with signals_ignored():
            env.stop()
            if os.environ.get(SESSION_ENV):
                reap(os.environ[SESSION_ENV])
    return 0


def _record_up(state_dir: Path, env: LocalEnvironment, notes: list[str]) -> None:
    state = read_state(state_dir) or StackState(os.getpid(), os.environ.get(SESSION_ENV, ""))
    state.status = "up"
    state.root = str(env.env.root)
    state.variables = env.drill_variables()
    state.describe = env.describe()
    state.processes = env.env.pids()
    state.notes = notes
    write_state(state_dir, state)


if __name__ == "__main__":
    sys.exit(hold(Path(sys.argv[1])))
