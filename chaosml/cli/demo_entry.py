"""The typer app's ``demo`` command: start the example stack, run the drill, clean up.

Signals: the engine handles SIGINT/SIGTERM while a drill runs (it rolls back and the drill
ends ``interrupted``); outside a run — starting the stack, between drills — both raise
KeyboardInterrupt here, so the stack is stopped by ``run_demo``'s ``finally`` and the command
exits 130 either way.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from types import FrameType

from chaosml.cli.errors import guarded
from chaosml.demo.drill import DrillHooks
from chaosml.demo.session import default_out_dir, run_demo
from chaosml.demo.verdicts import render_verdicts
from chaosml.exit_codes import ExitCode
from chaosml.reporting.console import ConsoleObserver


def demo(docker: bool, debug: bool, out: Path | None = None) -> int:
    return guarded(lambda: _demo(docker, debug, out or default_out_dir()), debug)


def _demo(docker: bool, debug: bool, out_dir: Path) -> int:
    install_interrupt_handlers()
    hooks = DrillHooks(observer=_observer, after_run=install_interrupt_handlers, debug=debug)
    try:
        result = run_demo(out_dir, hooks, _say, docker=docker)
    except KeyboardInterrupt:
        _say("interrupted: everything the demo started was stopped")
        return int(ExitCode.INTERRUPTED)
    print(render_verdicts(result), end="", flush=True)
    return int(result.exit_code)


def install_interrupt_handlers() -> None:
    """SIGINT and SIGTERM raise KeyboardInterrupt (the engine replaces them during a run)."""
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


def _observer() -> ConsoleObserver:
    """The live view on a terminal, plain lines otherwise (as ``chaosml run``)."""
    if sys.stdout.isatty() and os.environ.get("TERM") != "dumb":
        from chaosml.reporting.live import LiveView

        return LiveView()
    return ConsoleObserver()


def _say(text: str) -> None:
    print(text, flush=True)
