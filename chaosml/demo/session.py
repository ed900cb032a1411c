"""One ``chaosml demo``: start the example stack, run the drill against it, stop everything.

    result = run_demo(out_dir, hooks)                 # the stack as local processes
    result = run_demo(out_dir, hooks, docker=True)    # the services in containers

Prometheus and Alertmanager run when their binaries are on the PATH; otherwise the drills run
in their metrics-only form and a note says so. Whatever happens — a failure, Ctrl-C, SIGTERM —
the environment is stopped before this returns or raises, with SIGINT/SIGTERM ignored while it
stops so that a second Ctrl-C cannot leave processes behind; then ``chaosml.demo.reaper``
stops any process of this demo's session that the orderly stop missed.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from chaosml.demo.drill import DemoResult, DrillHooks, check_drills_installed, run_drills
from chaosml.demo.monitoring import binaries_available
from chaosml.demo.reaper import SESSION_ENV, mark_session, reap

OUT_ENV = "CHAOSML_DEMO_OUT"
NO_MONITORING_NOTE = (
    "note: prometheus and prometheus-alertmanager are not both on the PATH, so the drills run "
    "without alerting: each alert check is replaced by a probe of the metric the alert watches "
    "(install them, e.g. Debian's prometheus and prometheus-alertmanager packages, to see the "
    "alerts fire)."
)

Say = Callable[[str], None]


class Environment(Protocol):
    """What the drill needs from a running stack (processes or containers)."""

    def drill_variables(self) -> dict[str, str]: ...

    def describe(self) -> list[str]: ...

    def adapt_drill(self, doc: Any) -> Any: ...

    def stop(self) -> None: ...


def default_out_dir() -> Path:
    """``$CHAOSML_DEMO_OUT``, else ``~/.cache/chaosml/demo/<UTC timestamp>`` (never the cwd)."""
    configured = os.environ.get(OUT_ENV)
    if configured:
        return Path(configured)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    return Path.home() / ".cache" / "chaosml" / "demo" / stamp


def run_demo(out_dir: Path, hooks: DrillHooks, say: Say, docker: bool = False) -> DemoResult:
    check_drills_installed()
    with_alerts = binaries_available()
    if not with_alerts:
        say(NO_MONITORING_NOTE)
    session = mark_session()
    env: Environment | None = None
    try:
        say(f"starting the example ML stack as {'containers' if docker else 'local processes'} …")
        env = _start(docker, with_alerts)
        return _run(env, out_dir, hooks, say, with_alerts)
    finally:
        say("stopping the example ML stack …")
        with signals_ignored():
            _stop(env, session)


def _run(env: Environment, out_dir: Path, hooks: DrillHooks, say: Say, alerts: bool) -> DemoResult:
    for line in env.describe():
        say(f"  {line}")
    say(f"journals and reports go to {out_dir}")
    return run_drills(env.drill_variables(), out_dir, hooks, alerts, env.adapt_drill)


def _stop(env: Environment | None, session: str) -> None:
    """The orderly stop, then the reaper for anything it missed."""
    try:
        if env is not None:
            env.stop()
    finally:
        reap(session)
        os.environ.pop(SESSION_ENV, None)


def _start(docker: bool, with_alerts: bool) -> Environment:
    if docker:
        from chaosml.demo.docker_stack import start_docker_environment

        return start_docker_environment(monitoring=with_alerts)
    from chaosml.demo.local_stack import start_local_environment

    return start_local_environment(monitoring=with_alerts)


@contextmanager
def signals_ignored() -> Iterator[None]:
    """SIGINT and SIGTERM ignored inside (cleanup must finish); the old handlers after."""
    old = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)
